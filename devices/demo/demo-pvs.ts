import { AlarmStatus, Severity } from '../../ioc/epics/alarm.js';
import { DbrBase } from '../../ioc/epics/field-type.js';
import type { PvDatabase } from '../../ioc/db/database.js';
import type { TimerHandle } from '../../ioc/clock.js';

/**
 * A handful of PVs of every native type, for trying the twin with caget/camonitor: `demo:counter` ticks
 * once a second, `demo:sine` follows a sine wave and raises alarms near its peaks.
 */
export function addDemoPvs(db: PvDatabase, prefix = 'demo:'): { stop(): void } {
  const limits = { upperDisp: 10, lowerDisp: -10, upperCtrl: 10, lowerCtrl: -10, upperAlarm: 9, lowerAlarm: -9, upperWarning: 8, lowerWarning: -8 };
  db.create(`${prefix}double`, { type: DbrBase.DOUBLE, value: 0, units: 'mm', precision: 3, limits });
  db.create(`${prefix}float`, { type: DbrBase.FLOAT, value: 0, units: 'V', precision: 2, limits });
  db.create(`${prefix}long`, { type: DbrBase.LONG, value: 0, units: 'counts', limits });
  db.create(`${prefix}short`, { type: DbrBase.SHORT, value: 0, limits });
  db.create(`${prefix}char`, { type: DbrBase.CHAR, value: 0 });
  db.create(`${prefix}string`, { type: DbrBase.STRING, value: 'hello' });
  db.create(`${prefix}enum`, { type: DbrBase.ENUM, value: 0, enumStrings: ['Off', 'On', 'Fault'] });
  db.create(`${prefix}waveform`, { type: DbrBase.DOUBLE, value: new Float64Array(1024), maxCount: 1024 });
  db.create(`${prefix}readonly`, { type: DbrBase.DOUBLE, value: 42, writable: false });
  const counter = db.create(`${prefix}counter`, { type: DbrBase.LONG, value: 0, writable: false });
  const sine = db.create(`${prefix}sine`, { type: DbrBase.DOUBLE, value: 0, precision: 4, limits, writable: false });
  const timers: TimerHandle[] = [
    db.clock.setInterval(() => counter.set((counter.value as number) + 1), 1000),
    db.clock.setInterval(() => {
      const v = 10 * Math.sin(db.clock.now() / 2000);
      const a = Math.abs(v);
      const [status, severity] =
        a >= 9 ? [v > 0 ? AlarmStatus.HIHI : AlarmStatus.LOLO, Severity.MAJOR]
        : a >= 8 ? [v > 0 ? AlarmStatus.HIGH : AlarmStatus.LOW, Severity.MINOR]
        : [AlarmStatus.NO_ALARM, Severity.NO_ALARM];
      sine.set(v, { status, severity });
    }, 100),
  ];
  return { stop: () => timers.forEach((t) => t.cancel()) };
}
