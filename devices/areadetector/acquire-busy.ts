// ADCore's acquire/busy records of every port (NDArrayBase.template): Acquire (bo) and Acquire_RBV, the
// driver's busy state AcquireBusyCB, and the busy record AcquireBusy that SetAcquireBusy (calcout, on
// Acquire's transition to non-zero) sets and ClearAcquireBusy (on AcquireBusyCB's transition to zero)
// clears. With WaitForPlugins Yes the driver keeps AcquireBusyCB up until the plugins finished the last
// array; the twin's plugins run synchronously within the readout, so that is at once. A put-callback on
// AcquireBusy 1 completes when it returns to Done.
import type { Param, ParamSet } from './params.js';

export class AcquireBusy {
  private readonly acquire: Param;
  private readonly busy: Param;
  private readonly busyCB: Param;
  private readonly setBusy: Param | undefined;
  private readonly clearBusy: Param | undefined;
  private waiters: (() => void)[] = [];

  constructor(p: ParamSet) {
    this.acquire = p.get('Acquire');
    this.acquire.behave({ readback: true });
    this.busyCB = p.get('AcquireBusyCB');
    this.setBusy = p.find('SetAcquireBusy');
    this.clearBusy = p.find('ClearAcquireBusy');
    this.busy = p.get('AcquireBusy');
    this.busy.behave({
      write: (v, param) => {
        param.update(v);
        if (!v) return this.release();
        return new Promise<void>((resolve) => this.waiters.push(resolve));
      },
    });
  }

  get active(): boolean {
    return this.busy.bool;
  }

  /** The driver starts (true) or ends (false) acquiring: Acquire, the busy state and AcquireBusy follow. */
  set(acquiring: boolean): void {
    const v = acquiring ? 1 : 0;
    this.acquire.update(v);
    this.setBusy?.update(v);
    this.busyCB.update(v);
    this.clearBusy?.update(v);
    this.busy.update(v);
    if (!acquiring) this.release();
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
