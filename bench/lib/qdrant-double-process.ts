/**
 * The schema-validated Qdrant double (test/fakes/qdrant.fake-server.ts) in a child process of its own, for
 * benchmarks: in the bench process it shared one event loop with the load generator, and at 50k+ points its
 * request handling (OpenAPI validation, JSON of every vector) became the bottleneck of the whole run.
 * The parent asks for stored point counts over IPC.
 */
import { fork, ChildProcess } from 'node:child_process';
import { join } from 'node:path';

interface CountReply {
  type: 'points';
  id: number;
  total: number;
}

export interface QdrantDoubleProcess {
  url: string;
  pid: number;
  /** Points stored over all collections. */
  pointCount(): Promise<number>;
  stop(): Promise<void>;
}

export async function startQdrantDouble(): Promise<QdrantDoubleProcess> {
  const child: ChildProcess = fork(__filename, ['--serve'], {
    execArgv: ['--require', join(__dirname, '..', 'swc-register.js')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the Qdrant double did not start in 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the Qdrant double exited with ${code}`)));
    child.once('message', (message: { type: string; url: string }) => {
      clearTimeout(timer);
      resolve(message.url);
    });
  });
  let nextId = 0;
  return {
    url,
    pid: child.pid!,
    pointCount: () =>
      new Promise<number>((resolve, reject) => {
        const id = ++nextId;
        const timer = setTimeout(() => reject(new Error('the Qdrant double did not answer in 30 s')), 30_000);
        const onMessage = (message: CountReply) => {
          if (message.type !== 'points' || message.id !== id) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(message.total);
        };
        child.on('message', onMessage);
        child.send({ type: 'count', id });
      }),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function serve(): Promise<void> {
  const { FakeQdrantServer } = await import('../../test/fakes/qdrant.fake-server');
  const qdrant = await new FakeQdrantServer().start();
  // The double records every request for tests; a bench only needs the stored points.
  setInterval(() => (qdrant.requests.length = 0), 1_000).unref();
  process.on('message', (message: { type: string; id: number }) => {
    if (message.type !== 'count') return;
    const total = qdrant.collectionNames().reduce((sum, name) => sum + qdrant.pointIds(name).length, 0);
    process.send!({ type: 'points', id: message.id, total } satisfies CountReply);
  });
  process.on('SIGTERM', () => void qdrant.stop().then(() => process.exit(0)));
  // The parent going away (a crashed bench) takes the double with it.
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready', url: qdrant.url });
}

if (process.argv.includes('--serve')) void serve();
