// NDPluginCircularBuff (`CB1:`): while Capture is on it keeps the last PreCount arrays; a trigger (soft:
// Trigger 1) passes them downstream, then the next PostCount arrays, and ends (Trigger back to Done).
// PresetTriggerCount triggers end the capture (0: capture until Capture 0). FlushOnSoftTrg Immediately
// sends the pre-trigger arrays at the soft trigger, OnNewImage with the next array. The calculated
// triggers (TriggerA/TriggerB/TriggerCalc on NDAttributes) are served, not evaluated.
import type { NDArray } from '../ndarray.js';
import { NDPlugin, type PluginContext, type PluginOptions } from './base.js';

export class CircularBuffPlugin extends NDPlugin {
  private pre: NDArray[] = [];
  private triggered = false;
  private post = 0;

  constructor(ctx: PluginContext, prefix: string, opts: PluginOptions) {
    super(ctx, prefix, opts, 'NDPluginCircularBuff');
    const p = this.params;
    // Busy records: the driver sets them back to Done.
    p.get('Capture').behave({
      readback: true,
      write: (v, param) => {
        param.update(v);
        if (v) this.start();
        else this.stop('Acquisition Stopped');
      },
    });
    p.get('Trigger').behave({
      readback: true,
      write: (v) => {
        if (!v) return this.endTrigger();
        if (!this.capturing) return p.get('Trigger').update(0); // nothing to trigger
        this.triggered = true;
        this.post = 0;
        p.get('Trigger').update(1);
        p.get('PostTriggerQty_RBV').update(0);
        if (p.get('FlushOnSoftTrg').num === 1) this.flush();
      },
    });
  }

  private get capturing(): boolean {
    return this.params.get('Capture').num !== 0;
  }

  private start(): void {
    const p = this.params;
    this.pre = [];
    this.triggered = false;
    this.post = 0;
    for (const n of ['ActualTriggerCount_RBV', 'CurrentQty_RBV', 'PostTriggerQty_RBV']) p.get(n).update(0);
    p.get('StatusMessage').update('Buffer filling');
  }

  private stop(message: string): void {
    this.params.get('Capture').update(0);
    this.endTrigger();
    this.params.get('StatusMessage').update(message);
  }

  private endTrigger(): void {
    this.triggered = false;
    this.params.get('Trigger').update(0);
  }

  /** Pass the pre-trigger arrays downstream. */
  private flush(): void {
    const arrays = this.pre;
    this.pre = [];
    this.params.get('CurrentQty_RBV').update(0);
    if (this.arrayCallbacks.num) for (const a of arrays) this.ctx.ports.publish(this.portName, a);
  }

  protected process(array: NDArray): NDArray | undefined {
    if (!this.capturing) return undefined;
    const p = this.params;
    if (!this.triggered) {
      this.pre.push(array);
      const keep = Math.max(0, p.get('PreCount').num);
      if (this.pre.length > keep) this.pre.splice(0, this.pre.length - keep);
      p.get('CurrentQty_RBV').update(this.pre.length);
      return undefined;
    }
    this.flush();
    this.post++;
    p.get('PostTriggerQty_RBV').update(this.post);
    if (this.post >= p.get('PostCount').num) {
      const actual = p.get('ActualTriggerCount_RBV').num + 1;
      p.get('ActualTriggerCount_RBV').update(actual);
      this.endTrigger();
      const preset = p.get('PresetTriggerCount').num;
      if (preset > 0 && actual >= preset) this.stop('Acquisition Completed');
    }
    return array;
  }
}
