/**
 * Child side of the crash test: starts tcpdump on one interface the way a capture does, prints
 * its pid once it listens, then waits to be SIGKILLed. Never imported by the server.
 */
import { TcpdumpProcess } from '../tcpdump.js';

const [nsPath, ifName] = process.argv.slice(2);
if (!nsPath || !ifName) throw new Error('usage: crashChild NS_PATH IFNAME');
const proc = new TcpdumpProcess({ nsPath, ifName }, null, {
  header: () => {},
  packets: () => {},
  listening: () => process.stdout.write(`listening ${proc.pid}\n`),
  drops: () => {},
  exit: () => process.exit(1),
});
setInterval(() => {}, 60_000);
