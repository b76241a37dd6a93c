// The app of the start-up benchmark: does nothing, then reports the process's CPU time and peak
// resident memory (getrusage: every thread, the loader-hook thread included) and exits. Exits on
// a timer because a Prometheus endpoint would keep the event loop alive.
import { writeSync } from 'node:fs';

setTimeout(() => {
  const usage = process.resourceUsage();
  writeSync(1, `${JSON.stringify({ cpuUs: usage.userCPUTime + usage.systemCPUTime, maxRssKiB: usage.maxRSS })}\n`);
  process.exit(0);
}, 50);
