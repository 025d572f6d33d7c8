/**
 * Preload for profiling runs (`node --require bench/lib/cpu-profile.js`): records a V8 CPU profile of the whole
 * process and writes it to $PROFILE_DIR/<role>-<pid>.cpuprofile at SIGTERM or exit (open it in Chrome
 * DevTools or speedscope). NODE_OPTIONS does not accept --cpu-prof, hence this.
 */
const inspector = require('node:inspector');
const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.PROFILE_DIR || '/tmp';
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 1000 });
session.post('Profiler.start');
let written = false;
const write = () => {
  if (written) return;
  written = true;
  // A session on the same thread answers synchronously, so this completes inside the handler.
  session.post('Profiler.stop', (error, result) => {
    if (error) return;
    mkdirSync(dir, { recursive: true });
    const role = process.env.APP_ROLE || 'all';
    writeFileSync(join(dir, `${role}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
};
// At SIGTERM (the app's own handler still shuts it down gracefully): a slow shutdown may end in SIGKILL.
process.on('SIGTERM', write);
process.on('exit', write);
