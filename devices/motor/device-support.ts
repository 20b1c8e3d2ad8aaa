// Device support of the motor record: the commands motorRecord.cc sends through motorDevSup.c (move,
// jog, home, stop, load position, get info …, all in raw units) and the status it reads back in
// update_values(). The simulated controller's support answers to DTYP "asynMotor" (an OUT link
// "@asyn(PORT,AXIS)" names a motorSim controller port and axis, as in a motorSim IOC's .db), and to
// "Sim Motor" / "Motor Simulation".
import type { DeviceSupport, EpicsRecord, RecordEngine } from '../../ioc/records/record.js';
import { SimMotorController, type SimAxisConfig, type SimMotorAxis } from './sim-controller.js';

/** Axis status as update_values hands it to the record (raw units). */
export interface MotorStatus {
  /** Raw motor position (steps). */
  readonly position: number;
  /** Raw encoder position (counts). */
  readonly encoderPosition: number;
  /** MSTA bits. */
  readonly msta: number;
}

/** One axis as the record drives it. Velocities in steps/s, accelerations in steps/s², positions in steps. */
export interface MotorDevice {
  /** The controller can home onto a limit switch (MFLG MF_HOME_ON_LS): the record then ignores the switch while homing. */
  readonly homeOnLimitSwitch?: boolean;
  /** update_values: the status, and whether it arrived since the last call (a "callback"). */
  readStatus(): { readonly status: MotorStatus; readonly fresh: boolean };
  moveAbsolute(position: number, velocity: number, vbase: number, acceleration: number): void;
  moveRelative(distance: number, velocity: number, vbase: number, acceleration: number): void;
  /** JOG: signed velocity. */
  jog(velocity: number, vbase: number, acceleration: number): void;
  /** JOG_VELOCITY: change the speed of a running jog. */
  updateJog(velocity: number, acceleration: number): void;
  home(forward: boolean, velocity: number, vbase: number, acceleration: number): void;
  stop(): void;
  /** LOAD_POS: redefine the raw position without moving. */
  loadPosition(position: number): void;
  /** Not a motor-record command: a twin's reset puts the axis at `position` (steps) at once, stopped. */
  teleport?(position: number): void;
  /** GET_INFO: ask for a status callback. */
  getInfo(): void;
  /** SET_HIGH_LIMIT / SET_LOW_LIMIT (raw). */
  setHighLimit(position: number): void;
  setLowLimit(position: number): void;
  /** ENABLE_TORQUE / DISABL_TORQUE. */
  setClosedLoop(enable: boolean): void;
  /** SET_ENC_RATIO: encoder counts and motor steps of one common distance. */
  setEncoderRatio(encoder: number, motor: number): void;
  /** The record lets go of the axis: no more callbacks, and the axis stops where it is (no timer left). */
  disconnect(): void;
}

/** Device support entry for motor records: binds a record to its axis. */
export interface MotorDeviceSupport extends DeviceSupport {
  /** `onUpdate` is the device's callback: new status is there, process the record (scanOnce). */
  connect(rec: EpicsRecord, onUpdate: () => void): MotorDevice;
}

export function isMotorDeviceSupport(d: DeviceSupport | undefined): d is MotorDeviceSupport {
  return !!d && typeof (d as MotorDeviceSupport).connect === 'function';
}

/** DTYPs served by the simulated controller. */
export const SIM_MOTOR_DTYPS: readonly string[] = ['asynMotor', 'Sim Motor', 'Motor Simulation'];

// ---- the simulated controllers of one IOC (per record engine) --------------------------------------

const controllersByEngine = new WeakMap<object, Map<string, SimMotorController>>();

function controllers(engine: RecordEngine): Map<string, SimMotorController> {
  let m = controllersByEngine.get(engine);
  if (!m) {
    m = new Map();
    controllersByEngine.set(engine, m);
  }
  return m;
}

/** motorSimCreateController: a controller port of this IOC (returns the existing one if there is one). */
export function motorSimCreateController(engine: RecordEngine, port: string, defaults: Partial<SimAxisConfig> = {}): SimMotorController {
  const m = controllers(engine);
  let c = m.get(port);
  if (!c) {
    c = new SimMotorController(engine.clock, port, defaults);
    m.set(port, c);
  }
  return c;
}

export function findSimController(engine: RecordEngine, port: string): SimMotorController | undefined {
  return controllersByEngine.get(engine)?.get(port);
}

/** motorSimConfigAxis(port, axis, hiHardLimit, lowHardLimit, home, start), raw steps. */
export function motorSimConfigAxis(engine: RecordEngine, port: string, axis: number, highLimit: number, lowLimit: number, home: number, start: number): SimMotorAxis {
  return motorSimCreateController(engine, port).configAxis(axis, highLimit, lowLimit, home, start);
}

/** "@asyn(PORT,AXIS[,TIMEOUT])" or "@asyn(PORT AXIS)" → port and axis; undefined when not an asyn link. */
export function parseAsynLink(out: string): { port: string; axis: number } | undefined {
  const m = /^\s*@asyn\(\s*([^,\s)]+)[\s,]*(-?\d+)?/.exec(out);
  if (!m) return undefined;
  return { port: m[1]!, axis: m[2] !== undefined ? Number(m[2]) : 0 };
}

class SimMotorDevice implements MotorDevice {
  /** The simulated home search reverses at a limit switch. */
  readonly homeOnLimitSwitch = true;
  private fresh = true;
  private readonly unsubscribe: () => void;

  constructor(
    readonly axis: SimMotorAxis,
    onUpdate: () => void,
  ) {
    this.unsubscribe = axis.onStatus(() => {
      this.fresh = true;
      onUpdate();
    });
  }

  readStatus(): { status: MotorStatus; fresh: boolean } {
    const fresh = this.fresh;
    this.fresh = false;
    return { status: this.axis.status, fresh };
  }
  moveAbsolute(position: number, velocity: number, vbase: number, acceleration: number): void {
    this.axis.moveAbsolute(position, velocity, vbase, acceleration);
  }
  moveRelative(distance: number, velocity: number, vbase: number, acceleration: number): void {
    this.axis.moveRelative(distance, velocity, vbase, acceleration);
  }
  jog(velocity: number, vbase: number, acceleration: number): void {
    this.axis.moveVelocity(velocity, vbase, acceleration);
  }
  updateJog(velocity: number, acceleration: number): void {
    if (this.axis.moving) this.axis.moveVelocity(velocity, 0, acceleration);
  }
  home(forward: boolean, velocity: number, vbase: number, acceleration: number): void {
    this.axis.home(forward, velocity, vbase, acceleration);
  }
  stop(): void {
    this.axis.stop();
  }
  loadPosition(position: number): void {
    this.axis.setPosition(position);
  }
  teleport(position: number): void {
    this.axis.teleport(position);
  }
  getInfo(): void {
    this.axis.poll();
  }
  setHighLimit(_position: number): void {
    // motorSim keeps its own switches (motorSimConfigAxis); the record's dial limits do not move them.
  }
  setLowLimit(_position: number): void {}
  setClosedLoop(enable: boolean): void {
    this.axis.closedLoop = enable;
    this.axis.poll();
  }
  setEncoderRatio(encoder: number, motor: number): void {
    if (encoder > 0 && motor > 0) this.axis.encoderRatio = encoder / motor;
  }
  disconnect(): void {
    this.unsubscribe();
    // A move under way would otherwise keep its timer (and a served twin's process) alive to its end.
    this.axis.dispose();
  }
}

/**
 * Device support of the simulated controller. The OUT link "@asyn(PORT,AXIS)" picks the controller port and
 * axis (created with motorSim's defaults when nothing configured them); without an asyn link the record gets
 * axis 0 of a private controller named after the record.
 */
export const simMotorDeviceSupport: MotorDeviceSupport = {
  connect(rec: EpicsRecord, onUpdate: () => void): MotorDevice {
    const link = parseAsynLink(String(rec.v['OUT'] ?? '')) ?? { port: rec.name, axis: 0 };
    const axis = motorSimCreateController(rec.engine, link.port).axis(link.axis);
    return new SimMotorDevice(axis, onUpdate);
  },
};

/** Register the simulated controller's device support for motor records under its DTYPs. */
export function installSimMotorSupport(records: { addDeviceSupport(dtyp: string, support: DeviceSupport, recordType?: string): void }): void {
  for (const dtyp of SIM_MOTOR_DTYPS) records.addDeviceSupport(dtyp, simMotorDeviceSupport, 'motor');
}
