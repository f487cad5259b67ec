// The sequencer with this node's writes in flight (several nodes): a gap that no local write can own is
// another node's and is skipped at once; one a local write may still publish is waited for.
import { createLocalWrites } from '../server/realtime/local-writes';
import { createSequencer } from '../server/realtime/sequencer';

function setup() {
  const local = createLocalWrites();
  const out: string[] = [];
  // An hour: any release below happens without the timer.
  const seq = createSequencer<string>((item) => out.push(item), { gapMs: 3_600_000, local });
  const settled = () => new Promise<void>((resolve) => setImmediate(resolve));
  return { local, out, seq, settled };
}

describe('the sequencer with local writes', () => {
  it('skips a foreign gap at once when no local write is in flight', async () => {
    const { out, seq, settled } = setup();
    seq.push(1, [1], 'c1');
    await settled();
    expect(out).toEqual(['c1']);
    // Seqs 2 and 3 were committed by another node: ours is 4, published with nothing of ours in flight.
    seq.push(1, [4], 'c4');
    expect(out).toEqual(['c1', 'c4']);
    expect(seq.gaps()).toEqual({ foreign: 1, timeout: 0 });
    seq.stop();
  });

  it('waits for a gap a local write in flight may fill, and releases in order when it does', async () => {
    const { local, out, seq, settled } = setup();
    seq.push(1, [1], 'c1');
    await settled();
    const endA = local.begin(); // will publish seq 2
    const endB = local.begin(); // publishes seq 3 first
    seq.push(1, [3], 'c3');
    endB();
    expect(out).toEqual(['c1']);
    expect(seq.pending()).toBe(1);
    seq.push(1, [2], 'c2');
    endA();
    expect(out).toEqual(['c1', 'c2', 'c3']);
    expect(seq.gaps()).toEqual({ foreign: 0, timeout: 0 });
    seq.stop();
  });

  it('skips the gap once the local writes older than the waiting event end without filling it', async () => {
    const { local, out, seq, settled } = setup();
    seq.push(1, [1], 'c1');
    await settled();
    const endA = local.begin(); // fails, or its seq was another node's after all
    const endB = local.begin();
    seq.push(1, [3], 'c3');
    endB();
    // A write that starts after seq 3 was heard of cannot own seq 2: it does not hold the gap.
    const endC = local.begin();
    expect(out).toEqual(['c1']);
    endA();
    expect(out).toEqual(['c1', 'c3']);
    expect(seq.gaps()).toEqual({ foreign: 1, timeout: 0 });
    endC();
    seq.stop();
  });

  it('keeps the timer as the bound when a local write never ends', async () => {
    const local = createLocalWrites();
    const out: string[] = [];
    const seq = createSequencer<string>((item) => out.push(item), { gapMs: 10, local });
    seq.push(1, [1], 'c1');
    await new Promise<void>((r) => setImmediate(r));
    local.begin();
    seq.push(1, [3], 'c3');
    expect(out).toEqual(['c1']);
    await new Promise((r) => setTimeout(r, 30));
    expect(out).toEqual(['c1', 'c3']);
    expect(seq.gaps()).toEqual({ foreign: 0, timeout: 1 });
    seq.stop();
  });
});
