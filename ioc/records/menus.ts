// Menus of EPICS base (menu*.dbd), in their index order.
export const menuScan = ['Passive', 'Event', 'I/O Intr', '10 second', '5 second', '2 second', '1 second', '.5 second', '.2 second', '.1 second'] as const;
export const menuPini = ['NO', 'YES', 'RUN', 'RUNNING', 'PAUSE', 'PAUSED'] as const;
export const menuYesNo = ['NO', 'YES'] as const;
export const menuSimm = ['NO', 'YES', 'RAW'] as const;
export const menuAlarmSevr = ['NO_ALARM', 'MINOR', 'MAJOR', 'INVALID'] as const;
export const menuAlarmStat = [
  'NO_ALARM', 'READ', 'WRITE', 'HIHI', 'HIGH', 'LOLO', 'LOW', 'STATE', 'COS', 'COMM', 'TIMEOUT', 'HWLIMIT', 'CALC',
  'SCAN', 'LINK', 'SOFT', 'BAD_SUB', 'UDF', 'DISABLE', 'SIMM', 'READ_ACCESS', 'WRITE_ACCESS',
] as const;
export const menuPriority = ['LOW', 'MEDIUM', 'HIGH'] as const;
export const menuOmsl = ['supervisory', 'closed_loop'] as const;
export const menuIvoa = ['Continue normally', "Don't drive outputs", 'Set output to IVOV'] as const;
export const menuConvert = ['NO CONVERSION', 'SLOPE', 'LINEAR'] as const;
export const menuFtype = ['STRING', 'CHAR', 'UCHAR', 'SHORT', 'USHORT', 'LONG', 'ULONG', 'INT64', 'UINT64', 'FLOAT', 'DOUBLE', 'ENUM'] as const;
export const menuPost = ['On Change', 'Always'] as const;
export const calcoutOOPT = ['Every Time', 'On Change', 'When Zero', 'When Non-zero', 'Transition To Zero', 'Transition To Non-zero'] as const;
export const calcoutDOPT = ['Use CALC', 'Use OCAL'] as const;
export const calcoutINAV = ['Ext PV NC', 'Ext PV OK', 'Local PV', 'Constant'] as const;
export const seqSELM = ['All', 'Specified', 'Mask'] as const;
export const selSELM = ['Specified', 'High Signal', 'Low Signal', 'Median Signal'] as const;
export const compressALG = ['N to 1 Low Value', 'N to 1 High Value', 'N to 1 Average', 'Average', 'Circular Buffer', 'N to 1 Median'] as const;
export const bufferingALG = ['FIFO Buffer', 'LIFO Buffer'] as const;
export const fanoutSELM = ['All', 'Specified', 'Mask'] as const;
