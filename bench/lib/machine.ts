/**
 * The machine the numbers come from (printed with every table), how the processes are placed on
 * its CPUs, and how much CPU the hypervisor took away while the benchmark ran (steal time).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release } from 'node:os';
import { canPin } from './processes';

export interface Machine {
  nproc: number;
  cpuModel: string;
  node: string;
  kernel: string;
  loadAvg1m: number;
  pinned: boolean;
}

/** CPU placement: the load generator and the upstream share one CPU, the system under test gets the other. */
export const CPU = { loadGenerator: 0, upstream: 0, systemUnderTest: 1, coreUpstream: 1 } as const;

export function describeMachine(): Machine {
  const nproc = availableParallelism();
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /Model name:\s*(.+)/.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1]?.trim() ?? cpuModel;
  } catch { /* lscpu missing: keep os.cpus() */ }
  return { nproc, cpuModel, node: process.version, kernel: release(), loadAvg1m: loadavg()[0]!, pinned: canPin(nproc) };
}

export function machineLine(m: Machine): string {
  const placement = m.pinned
    ? `pinned with taskset: load generator + upstream on CPU ${CPU.loadGenerator}, proxy/gateway under test on CPU ${CPU.systemUnderTest}`
    : 'not pinned (needs taskset and 2+ CPUs)';
  return `${m.nproc} × ${m.cpuModel}, Node ${m.node}, Linux ${m.kernel}, load average ${m.loadAvg1m.toFixed(2)} at start; ${placement}`;
}

/** Cumulative steal and total jiffies over all CPUs, from /proc/stat. */
function stealJiffies(): { steal: number; total: number } | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { steal: f[7] ?? 0, total: f.slice(0, 8).reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

/** Starts a steal-time reading; the returned function gives the share of CPU time stolen since. */
export function stealMeter(): () => number | undefined {
  const start = stealJiffies();
  return () => {
    const end = stealJiffies();
    if (!start || !end || end.total === start.total) return undefined;
    return (end.steal - start.steal) / (end.total - start.total);
  };
}
