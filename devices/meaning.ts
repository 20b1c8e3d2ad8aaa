// What a device says matters about it: the channels and events a reader of its trace should look for.
// Tools that read traces (validate) work from these declarations and never from PV layouts, so a new
// device kind shows its moves, exposures or limit hits there by declaring them. Channel names are full
// PV names (prefix included).

/** A channel posting a value: the moment something starts, ends or trips. */
export interface ChannelValue {
  readonly channel: string;
  readonly value: number;
}

/** A positioner: a move is the span from a put to a drive channel to the done channel posting its value. */
export interface MoveMeaning {
  readonly kind: 'move';
  /** Channels whose put starts motion (setpoints in any coordinate, tweaks, jogs, homing). */
  readonly drive: readonly string[];
  /** Drive channels whose put value is a target in the readback's coordinates (reported as setpoints). */
  readonly setpoint: readonly string[];
  readonly readback: string;
  /** The move is over when this channel posts this value (the motor record's DMOV 1). */
  readonly done: ChannelValue;
}

/** A detector: an acquisition runs from `acquire` posting 1 to it posting 0. */
export interface ExposureMeaning {
  readonly kind: 'exposure';
  readonly acquire: string;
  /** Seconds per exposure (setting). */
  readonly exposureTime?: string;
  /** Exposures summed into one image (setting). */
  readonly exposuresPerImage?: string;
  /** Images per acquisition (setting). */
  readonly numImages?: string;
  /** Counts the images read out: each increment is one image. */
  readonly imageCounter?: string;
}

/** A temperature controller: puts to `setpoint` ask for a temperature, `temperature` reads it. */
export interface TemperatureMeaning {
  readonly kind: 'temperature';
  readonly setpoint: readonly string[];
  readonly temperature: string;
}

/** A channel whose values are named states (a shutter's open/close). */
export interface StateMeaning {
  readonly kind: 'state';
  readonly channel: string;
  /** Names of the values (`{ 0: 'closed', 1: 'open' }`); other values print as numbers. */
  readonly states: Readonly<Record<number, string>>;
}

/** A limit: the channel posting the value is a hard-limit hit or a refused (soft-limit) move. */
export interface LimitMeaning {
  readonly kind: 'limit';
  readonly trip: ChannelValue;
  /** A switch the device ran into, or a request the device refused. */
  readonly limit: 'hard' | 'soft';
  /** What happened, in words: `hit the high limit switch (HLS)`. */
  readonly says: string;
}

export type Meaning = MoveMeaning | ExposureMeaning | TemperatureMeaning | StateMeaning | LimitMeaning;

/** A device kind's declaration for one device: the PVs it serves and what in them matters. */
export interface DeviceMeaning {
  /** PV names the device serves. */
  readonly names?: readonly string[];
  /** PV name prefixes the device serves (everything under them is its). */
  readonly prefixes?: readonly string[];
  readonly meanings: readonly Meaning[];
}

/** One device of a twin with its declaration: `device` names it in reports. */
export interface DeclaredDevice extends DeviceMeaning {
  readonly device: string;
  readonly kind: string;
}

/** Does this PV belong to the device? */
export function owns(d: DeviceMeaning, channel: string): boolean {
  return (d.names ?? []).includes(channel) || (d.prefixes ?? []).some((p) => channel.startsWith(p));
}

/** The channels whose values before and after a run a reader needs (readbacks, counters, settings). */
export function stateChannels(d: DeviceMeaning): string[] {
  const out: string[] = [];
  for (const m of d.meanings) {
    if (m.kind === 'move') out.push(m.readback);
    else if (m.kind === 'exposure') out.push(...[m.imageCounter, m.exposureTime, m.exposuresPerImage].filter((c): c is string => c !== undefined));
    else if (m.kind === 'temperature') out.push(m.temperature);
    else if (m.kind === 'state') out.push(m.channel);
  }
  return out;
}
