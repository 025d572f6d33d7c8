/**
 * Preload for profiling runs (`node --require bench/lib/cpu-profile.js`): records a V8 CPU profile and writes it
 * to $PROFILE_DIR/<role>-<pid>.cpuprofile (open it in Chrome DevTools or speedscope, or draw it with
 * bench/lib/flamegraph.js). By default the whole process, written at SIGTERM or exit. With PROFILE_ON_SIGNAL=1
 * only a window: the first SIGUSR2 starts recording, the second writes the profile (a bench profiles one phase
 * of its load, not the app's start or indexing). NODE_OPTIONS does not accept --cpu-prof, hence this.
 */
const inspector = require('node:inspector');
const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.PROFILE_DIR || '/tmp';
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: Number(process.env.PROFILE_INTERVAL_US || 1000) });
let recording = false;
let written = false;
const start = () => {
  recording = true;
  session.post('Profiler.start');
};
const write = () => {
  if (written || !recording) return;
  written = true;
  // A session on the same thread answers synchronously, so this completes inside the handler.
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    mkdirSync(dir, { recursive: true });
    const role = process.env.APP_ROLE || 'all';
    writeFileSync(join(dir, `${role}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
};
if (process.env.PROFILE_ON_SIGNAL === '1') {
  process.on('SIGUSR2', () => (recording ? write() : start()));
} else {
  start();
  // At SIGTERM (the app's own handler still shuts it down gracefully): a slow shutdown may end in SIGKILL.
  process.on('SIGTERM', write);
  process.on('exit', write);
}
