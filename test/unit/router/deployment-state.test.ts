/** The in-memory deployment state on a fake clock: the latency window the latency-based strategy reads. */
import assert from 'node:assert/strict';
import { DeploymentStates } from '../../../src/core/router/deployment-state';
import type { Deployment } from '../../../src/core/types/deployment';

const dep = (model: string): Deployment => ({ id: `openai/${model}`, modelName: 'g', provider: 'openai', model } as Deployment);

describe('DeploymentStates latency window', () => {
  it('averages only the latencies measured within the window, per deployment', () => {
    let now = 1_000_000;
    const states = new DeploymentStates(() => now);
    const a = dep('a');
    assert.equal(states.meanLatency(a, 10_000), undefined);
    states.finish(a, 100);
    now += 6_000;
    states.finish(a, 300);
    states.finish(dep('b'), 5_000);
    assert.equal(states.meanLatency(a, 10_000), 200);
    now += 4_000;
    assert.equal(states.meanLatency(a, 10_000), 200, 'one measured exactly a window ago still counts');
    now += 1;
    assert.equal(states.meanLatency(a, 10_000), 300, 'the first one left the window');
    now += 10_000;
    assert.equal(states.meanLatency(a, 10_000), undefined, 'and then the second');
    states.finish(a, undefined);
    assert.equal(states.meanLatency(a, 10_000), undefined, 'a request without a latency adds none');
  });

  it('keeps the last 100 latencies, the oldest dropped first', () => {
    const states = new DeploymentStates(() => 5_000);
    const a = dep('a');
    for (let i = 1; i <= 150; i++) states.finish(a, i);
    // 51..150 remain: their mean is 100.5.
    assert.equal(states.meanLatency(a, 60_000), 100.5);
  });
});
