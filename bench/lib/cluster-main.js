/* Bench only: N API processes sharing one port through node:cluster (the primary hands each new connection
 * to the next worker, round-robin), as a stand-in for two instances behind a load balancer. */
const cluster = require('node:cluster');
const path = require('node:path');

if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_RR;
  const workers = Number(process.env.BENCH_CLUSTER_WORKERS ?? 2);
  for (let i = 0; i < workers; i++) cluster.fork();
  let exiting = false;
  const stop = (signal) => {
    if (exiting) return;
    exiting = true;
    for (const worker of Object.values(cluster.workers)) worker?.process.kill(signal);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers).length === 0) process.exit(0);
  });
} else {
  require(path.join(__dirname, '..', 'swc-register.js'));
  require(path.join(__dirname, '..', '..', 'src', 'main.ts'));
}
