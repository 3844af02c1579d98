/**
 * Child processes of the benchmark (upstream, proxies, gateways): started pinned to a CPU when
 * `taskset` is there, logging to bench/results/logs/, read for CPU time and memory from /proc,
 * and always stopped at the end — on success, on failure and on Ctrl-C — which
 * `leftoverChildren()` checks with ps.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** The port the child printed (or was given). */
  port: number;
  /** Where its stdout and stderr go. */
  log: string;
  /** The last lines it printed, for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartSpec {
  name: string;
  /** Arguments to node (the script first, node flags before it). */
  args: string[];
  env?: Record<string, string>;
  /** CPU to pin to (ignored without taskset). */
  cpu?: number;
  /** Printed when ready; group 1, when present, is the port. */
  ready: RegExp;
  port?: number;
}

const running = new Set<Child>();
const started: { name: string; pid: number }[] = [];
const hasTaskset = (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export const canPin = (cpus: number): boolean => hasTaskset && cpus >= 2;

/** Pins this process (all its threads) to one CPU. */
export function pinSelf(cpu: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
}

/** The environment for children: without npm's variables and without a proxy master key. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'ANYMODEL_MASTER_KEY' && k !== 'NODE_OPTIONS'));
  return { ...env, NO_COLOR: '1', ...extra };
}

const LOG_DIR = join(__dirname, '..', 'results', 'logs');

/** The last `n` bytes of a file (the child's log), which may be megabytes long. */
function fileTail(file: string, n = 1500): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(n, size));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Starts a node process with its stdout and stderr going to bench/results/logs/<name>.log, as
 * `cmd 2> file` would: a pipe to this process would wake the load generator for every log line.
 */
export function startChild(spec: StartSpec, pin: boolean): Promise<Child> {
  const cmd = pin && spec.cpu !== undefined ? 'taskset' : process.execPath;
  const args = pin && spec.cpu !== undefined ? ['-c', String(spec.cpu), process.execPath, ...spec.args] : spec.args;
  mkdirSync(LOG_DIR, { recursive: true });
  const slug = spec.name.replace(/[^a-z0-9]+/gi, '-');
  let log = join(LOG_DIR, `${slug}.log`);
  for (let i = 2; [...running].some((c) => c.log === log); i++) log = join(LOG_DIR, `${slug}-${i}.log`);
  const fd = openSync(log, 'w');
  // taskset execs node in place, so the pid is node's.
  const proc = spawn(cmd, args, { env: childEnv(spec.env), stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.once('exit', () => { exited = true; resolve(); }));
  const child: Child = {
    name: spec.name,
    proc,
    pid: proc.pid!,
    port: spec.port ?? 0,
    log,
    tail: () => fileTail(log),
    stop: async (graceMs = 5000) => {
      if (!exited) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        await exit;
        clearTimeout(timer);
      }
      running.delete(child);
    },
  };
  running.add(child);
  started.push({ name: spec.name, pid: child.pid });
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 30_000;
    const poll = setInterval(() => {
      const m = spec.ready.exec(fileTail(log, 4000));
      if (m) {
        clearInterval(poll);
        if (spec.port === undefined) child.port = Number(m[1]);
        resolve(child);
      } else if (exited || Date.now() > deadline) {
        clearInterval(poll);
        void child.stop(0);
        reject(new Error(`${spec.name} ${exited ? `exited (${proc.exitCode ?? proc.signalCode})` : 'did not start within 30 s'} before it was ready: ${child.tail()}`));
      }
    }, 20);
    proc.once('exit', () => running.delete(child));
  });
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop()));
}

// Last resort when the benchmark itself is interrupted or crashes.
process.once('exit', () => { for (const c of running) c.proc.kill('SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    process.stderr.write(`\nbench: ${sig}, stopping child processes…\n`);
    void stopAll().finally(() => process.exit(130));
  });
}

/** Processes still running under this one (ps), other than ps itself, and any started child still alive. */
export function leftoverChildren(): string[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  // tsx's esbuild service is tsx's own helper: it ends with this process, and is not ours to stop.
  const left = out.split('\n').map((l) => l.trim()).filter((l) => l && !/^\d+\s+ps\s/.test(l) && !/esbuild\s+--service/.test(l));
  for (const s of started) {
    try {
      process.kill(s.pid, 0);
      if (!left.some((l) => l.startsWith(`${s.pid} `))) left.push(`${s.pid} ${s.name} (alive)`);
    } catch { /* gone, as it should be */ }
  }
  return left;
}

export const startedCount = (): number => started.length;

/** CPU time (user + system) of a process in ms, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** Resident memory now and at its peak, in MB, from /proc/<pid>/status. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Runs a node script to its end (pinned when asked) and resolves with what it printed on stdout. */
export function runNode(name: string, args: string[], opts: { cpu?: number; pin: boolean; cwd: string; env?: Record<string, string>; timeoutMs: number }): Promise<string> {
  const pinned = opts.pin && opts.cpu !== undefined;
  const proc = spawn(pinned ? 'taskset' : process.execPath, pinned ? ['-c', String(opts.cpu), process.execPath, ...args] : args, { cwd: opts.cwd, env: childEnv(opts.env), stdio: ['ignore', 'pipe', 'inherit'] });
  const child: Child = { name, proc, pid: proc.pid!, port: 0, log: '', tail: () => '', stop: async () => { proc.kill('SIGKILL'); running.delete(child); } };
  running.add(child);
  started.push({ name, pid: child.pid });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (code === 0) resolve(out);
      else reject(new Error(`${name} exited with ${code ?? signal}`));
    });
  });
}
