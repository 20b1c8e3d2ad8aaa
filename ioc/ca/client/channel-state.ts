/**
 * A client channel's life as an explicit transition table (after caproto's `_state.py`, keyed on what
 * happened rather than on the command that said so):
 *
 *   searching ──found──▶ connecting ──created──▶ connected
 *       ▲                  │  │                     │
 *       └──refused / lost──┘  └─────────lost────────┘  (circuit gone, SERVER_DISCONN, watchdog)
 *   any state except closed ──close──▶ closed (terminal)
 *
 * libca's `ca_state` names the same states cs_never_conn/cs_prev_conn (searching), cs_conn, cs_closed.
 */
export type ChannelState = 'searching' | 'connecting' | 'connected' | 'closed';

/** What moves a channel on. */
export type ChannelTrigger =
  /** A server answered the search: CREATE_CHAN goes out on its circuit. */
  | 'found'
  /** CREATE_CHAN answered: the channel has a sid, a type and a count. */
  | 'created'
  /** CREATE_CH_FAIL: the server that answered the search will not serve the name; search again later. */
  | 'refused'
  /** The circuit died, the watchdog gave up on it, or the server dropped the channel: search again. */
  | 'lost'
  /** The user (or client shutdown) closed the channel. */
  | 'close';

const TRANSITIONS: Readonly<Record<ChannelState, Readonly<Partial<Record<ChannelTrigger, ChannelState>>>>> = {
  searching: { found: 'connecting', close: 'closed' },
  connecting: { created: 'connected', refused: 'searching', lost: 'searching', close: 'closed' },
  connected: { lost: 'searching', close: 'closed' },
  closed: {},
};

/** A transition the table does not allow: a bug in the client, never the server's fault. */
export class ChannelStateError extends Error {
  override name = 'ChannelStateError';
  constructor(
    readonly from: ChannelState,
    readonly trigger: ChannelTrigger,
    channel: string,
  ) {
    super(`internal error: channel ${channel} cannot go '${trigger}' while ${from}`);
  }
}

/** Whether `trigger` applies in state `from` (server input that does not is ignored, not obeyed). */
export function canTransition(from: ChannelState, trigger: ChannelTrigger): boolean {
  return TRANSITIONS[from][trigger] !== undefined;
}

/** The state after `trigger`; throws ChannelStateError for a transition the table does not list. */
export function nextChannelState(from: ChannelState, trigger: ChannelTrigger, channel: string): ChannelState {
  const to = TRANSITIONS[from][trigger];
  if (to === undefined) throw new ChannelStateError(from, trigger, channel);
  return to;
}
