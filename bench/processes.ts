/** Child processes for the benchmark (upstream, proxies), with CPU and memory readings from /proc. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Child { proc: ChildProcess; port: number; stop(): void }

/** Starts a process and resolves with the port it prints (first match of `portPattern`). */
export function startChild(cmd: string, args: string[], env: Record<string, string>, portPattern: RegExp, fixedPort?: number): Promise<Child> {
  const proc = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`${args.join(' ')} did not start: ${out.slice(-500)}`)); }, 30_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = portPattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: fixedPort ?? Number(m[1]), stop: () => { proc.kill('SIGTERM'); } });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${args.join(' ')} exited ${code}: ${out.slice(-500)}`)); });
  });
}

/** CPU time (user + system) of a process in ms, from /proc (clock ticks are 10 ms here). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
