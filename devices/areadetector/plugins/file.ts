// NDPluginFile (`TIFF1:`, `HDF1:`): the NDFile record set and its bookkeeping — FullFileName_RBV from
// FileTemplate (printf with FilePath, FileName, FileNumber), AutoIncrement, AutoSave, the three write
// modes (Single, Capture with NumCapture buffered arrays, Stream), Capture and WriteFile as busy records.
//
// Disk writing is off unless the twin is given a folder: without one every path "exists" and names
// advance exactly as on a real IOC, but nothing is written. With a folder, files are written only inside
// it (symbolic links resolved); a path outside makes FilePathExists_RBV No, and WriteFile/Capture are
// refused. `mapPaths` instead maps every IOC path into the folder (a chroot), so scripts that write to
// beamline paths run unmodified.
import { existsSync, mkdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Severity, AlarmStatus } from '../../../ioc/epics/alarm.js';
import { PutError } from '../../../ioc/db/errors.js';
import type { NDArray, Pixels } from '../ndarray.js';
import { decodeChars, type Param } from '../params.js';
import { NDPlugin, type PluginContext, type PluginOptions } from './base.js';
import { encodeTiff } from './tiff-writer.js';

export interface FileWriting {
  /** The only folder files may be written in. Absent: writing is simulated (nothing touches the disk). */
  readonly root?: string;
  /** Map IOC paths into `root` (chroot-like) instead of requiring them to lie inside it. */
  readonly mapPaths?: boolean;
}

export const FILE_WRITE_MODES = ['Single', 'Capture', 'Stream'] as const;
export const FileWriteMode = { Single: 0, Capture: 1, Stream: 2 } as const;

/** C printf for FileTemplate: %s, %d/%i/%u/%x/%o with flags, width and precision, %%. */
export function cFormat(template: string, args: readonly (string | number)[]): string {
  let i = 0;
  return template.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([sdiuxXo%])/g, (_m, flags: string, width?: string, prec?: string, conv?: string) => {
    if (conv === '%') return '%';
    const arg = args[i++];
    let s: string;
    if (conv === 's') {
      s = String(arg ?? '');
      if (prec !== undefined) s = s.slice(0, Number(prec));
    } else {
      const n = Math.trunc(Number(arg ?? 0));
      const base = conv === 'x' || conv === 'X' ? 16 : conv === 'o' ? 8 : 10;
      let digits = Math.abs(n).toString(base);
      if (conv === 'X') digits = digits.toUpperCase();
      if (prec !== undefined) digits = digits.padStart(Number(prec), '0');
      const sign = n < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
      s = sign + digits;
      if (width !== undefined && flags.includes('0') && !flags.includes('-') && prec === undefined) {
        s = sign + digits.padStart(Number(width) - sign.length, '0');
      }
    }
    if (width !== undefined && s.length < Number(width)) s = flags.includes('-') ? s.padEnd(Number(width)) : s.padStart(Number(width));
    return s;
  });
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Resolve symbolic links of the longest existing prefix of `p`. */
function realPrefix(p: string): string {
  let cur = p;
  const rest: string[] = [];
  while (!existsSync(cur)) {
    const parent = path.dirname(cur);
    if (parent === cur) break;
    rest.unshift(path.basename(cur));
    cur = parent;
  }
  let real = cur;
  try {
    real = realpathSync(cur);
  } catch {
    // keep as is
  }
  return path.join(real, ...rest);
}

export type PathCheck = { readonly ok: true; readonly host: string | undefined } | { readonly ok: false; readonly reason: string };

/** Where an IOC path lands on this host under the writing policy (host undefined: simulated). */
export function resolveIocPath(iocPath: string, writing: FileWriting): PathCheck {
  if (!writing.root) return { ok: true, host: undefined };
  if (!iocPath) return { ok: false, reason: 'FilePath is empty' };
  const root = realPrefix(path.resolve(writing.root));
  const host = writing.mapPaths ? path.join(root, path.posix.normalize('/' + iocPath.replace(/\\/g, '/'))) : path.resolve(iocPath);
  if (!inside(root, realPrefix(host))) return { ok: false, reason: `${iocPath} is outside the folder the twin may write in` };
  return { ok: true, host };
}

export interface FilePluginOptions extends PluginOptions {
  readonly writing: FileWriting;
}

/** NDPluginFile with a format-specific writer. */
export abstract class FilePlugin extends NDPlugin {
  readonly filePath: Param;
  readonly fileName: Param;
  readonly fileNumber: Param;
  readonly fileTemplate: Param;
  readonly fullFileName: Param;
  readonly capture: Param;
  readonly numCaptured: Param;
  private captured: NDArray[] = [];
  private capturing = false;
  private streamFile: string | undefined;
  private lastArray: NDArray | undefined;
  private captureWaiters: (() => void)[] = [];
  /** Files written to disk (host paths), in order. */
  readonly written: string[] = [];

  constructor(ctx: PluginContext, prefix: string, readonly fileOpts: FilePluginOptions, pluginType: string) {
    super(ctx, prefix, fileOpts, pluginType);
    // The records (NDFile.template) come from the model; the code adds the driver's behaviour.
    const p = this.params;
    this.filePath = p.get('FilePath');
    this.filePath.behave({
      write: (v, param) => {
        let s = decodeChars(v);
        // asynNDArrayDriver::checkPath: the readback ends with a delimiter.
        if (s && !s.endsWith('/') && !s.endsWith('\\')) s += '/';
        param.update(s);
        this.updatePathExists();
      },
    });
    this.fileName = p.get('FileName');
    this.fileNumber = p.get('FileNumber');
    this.fileTemplate = p.get('FileTemplate');
    this.fullFileName = p.get('FullFileName_RBV');
    p.get('WriteFile').behave({ write: (v, param) => this.writeFileCommand(v as number, param) });
    p.get('ReadFile').behave({ write: (_v, param) => param.update(0) });
    this.capture = p.get('Capture');
    this.capture.behave({ write: (v, param) => this.captureCommand(v as number, param) });
    this.numCaptured = p.get('NumCaptured_RBV');
    this.updatePathExists();
  }

  private get writing(): FileWriting {
    return this.fileOpts.writing;
  }

  /** The directory check for the current FilePath. */
  pathCheck(): PathCheck {
    return resolveIocPath(this.filePath.str, this.writing);
  }

  private updatePathExists(): void {
    const iocPath = this.filePath.str;
    let exists = false;
    if (!this.writing.root) exists = iocPath !== '';
    else {
      const c = this.pathCheck();
      exists = c.ok && !!c.host && existsSync(c.host) && statSync(c.host).isDirectory();
    }
    this.params.get('FilePathExists_RBV').update(exists ? 1 : 0, {
      status: exists ? AlarmStatus.NO_ALARM : AlarmStatus.STATE,
      severity: exists ? Severity.NO_ALARM : Severity.MAJOR,
    });
  }

  private status(ok: boolean, message: string): void {
    this.params.get('WriteStatus').update(ok ? 0 : 1);
    this.params.get('WriteMessage').update(message);
  }

  /** FullFileName for the current path/name/number. */
  nextFileName(): string {
    return cFormat(this.fileTemplate.str, [this.filePath.str, this.fileName.str, this.fileNumber.num]);
  }

  /** Check the path and prepare the directory; throws PutError when writing here is not allowed. */
  private openDir(): string | undefined {
    const c = this.pathCheck();
    if (!c.ok) {
      this.status(false, c.reason);
      this.updatePathExists();
      throw new PutError(`${this.prefix}: ${c.reason}`);
    }
    if (c.host && !existsSync(c.host)) {
      if (this.params.get('CreateDirectory').num !== 0) mkdirSync(c.host, { recursive: true });
      else {
        const reason = `directory ${this.filePath.str} does not exist`;
        this.status(false, reason);
        throw new PutError(`${this.prefix}: ${reason}`);
      }
      this.updatePathExists();
    }
    return c.host;
  }

  /** Write `arrays` as one file (or, for single-array formats, one file each). Returns false on refusal. */
  protected writeArrays(arrays: readonly NDArray[]): boolean {
    if (arrays.length === 0) {
      this.status(false, 'no array to write');
      return false;
    }
    const groups = this.multipleArraysPerFile ? [arrays] : arrays.map((a) => [a]);
    try {
      for (const group of groups) {
        const hostDir = this.openDir();
        const full = this.nextFileName();
        this.fullFileName.update(full);
        const bytes = hostDir ? this.encode(group) : undefined;
        if (hostDir && bytes) {
          const host = path.join(hostDir, path.basename(full));
          writeFileSync(host, bytes);
          this.written.push(host);
        }
        this.advanceNumber();
      }
      this.status(true, '');
      return true;
    } catch (e) {
      if (!(e instanceof PutError)) this.status(false, (e as Error).message);
      return false;
    }
  }

  private advanceNumber(): void {
    if (this.params.get('AutoIncrement').num) this.fileNumber.update(this.fileNumber.num + 1);
  }

  /** Whether the format holds several arrays per file (HDF5 yes, TIFF no). */
  protected abstract readonly multipleArraysPerFile: boolean;
  /** The file's bytes for these arrays; undefined: this format is bookkeeping only. */
  protected abstract encode(arrays: readonly NDArray[]): Buffer | undefined;

  private writeFileCommand(v: number, param: Param): void {
    if (!v) return param.update(0);
    param.update(1);
    try {
      const mode = this.params.get('FileWriteMode').num;
      const arrays = mode === FileWriteMode.Single ? (this.lastArray ? [this.lastArray] : []) : this.captured;
      if (mode !== FileWriteMode.Stream) {
        this.openDir(); // refuse before anything changes
        if (!this.writeArrays(arrays)) throw new PutError(`${this.prefix}WriteFile: ${this.params.get('WriteMessage').str}`);
      }
    } finally {
      param.update(0);
    }
  }

  private captureCommand(v: number, param: Param): Promise<void> | void {
    const mode = this.params.get('FileWriteMode').num;
    if (!v) {
      if (this.capturing) this.endCapture(true);
      param.update(0);
      return;
    }
    if (mode === FileWriteMode.Single) {
      this.status(false, 'Capture is not used in Single mode');
      param.update(0);
      throw new PutError(`${this.prefix}Capture: FileWriteMode is Single`);
    }
    if (!this.capturing) {
      this.openDir(); // throws (Capture stays 0) when not allowed
      this.capturing = true;
      this.captured = [];
      this.numCaptured.update(0);
      if (mode === FileWriteMode.Stream) {
        this.streamFile = this.nextFileName();
        this.fullFileName.update(this.streamFile);
      }
      param.update(1);
    }
    return new Promise<void>((resolve) => this.captureWaiters.push(resolve));
  }

  private endCapture(write: boolean): void {
    const mode = this.params.get('FileWriteMode').num;
    this.capturing = false;
    if (mode === FileWriteMode.Capture && write && this.params.get('AutoSave').num && this.captured.length) this.writeArrays(this.captured);
    if (mode === FileWriteMode.Stream && this.streamFile !== undefined) {
      if (this.multipleArraysPerFile && this.captured.length) this.writeArrays(this.captured);
      this.streamFile = undefined;
    }
    this.capture.update(0);
    const waiters = this.captureWaiters;
    this.captureWaiters = [];
    for (const w of waiters) w();
  }

  protected process(array: NDArray): undefined {
    this.lastArray = array;
    const mode = this.params.get('FileWriteMode').num;
    if (mode === FileWriteMode.Single) {
      if (this.params.get('AutoSave').num) this.writeArrays([array]);
      return undefined;
    }
    if (!this.capturing) return undefined;
    // Keep a private copy: frame buffers are reused.
    const data = array.data();
    const copy: Pixels = data.slice();
    const kept: NDArray = { ...array, data: () => copy };
    const n = this.numCaptured.num + 1;
    if (mode === FileWriteMode.Stream && !this.multipleArraysPerFile) this.writeArrays([kept]);
    else this.captured.push(kept);
    this.numCaptured.update(n);
    const target = Math.trunc(this.params.get('NumCapture').num);
    if (target > 0 && n >= target) this.endCapture(true);
    return undefined;
  }

  override reset(): void {
    if (this.capturing) this.endCapture(false);
    this.captured = [];
    super.reset();
    this.updatePathExists();
  }
}

export class TiffPlugin extends FilePlugin {
  protected readonly multipleArraysPerFile = false;
  constructor(ctx: PluginContext, prefix: string, opts: FilePluginOptions) {
    super(ctx, prefix, opts, 'NDFileTIFF');
  }
  protected encode(arrays: readonly NDArray[]): Buffer {
    const a = arrays[0]!;
    return encodeTiff(a.data(), a.dims[0] ?? 0, a.dims[1] ?? 1, `uniqueId=${a.uniqueId}`);
  }
}

/**
 * NDFileHDF5 (`HDF1:`): the full record set and the NDFile bookkeeping (names, numbers, capture and
 * stream). The twin has no HDF5 encoder, so it never writes .h5 files, even with a folder configured.
 */
export class Hdf5Plugin extends FilePlugin {
  protected readonly multipleArraysPerFile = true;
  constructor(ctx: PluginContext, prefix: string, opts: FilePluginOptions) {
    super(ctx, prefix, opts, 'NDFileHDF5');
  }
  protected encode(): undefined {
    return undefined;
  }
}

/**
 * A file format the twin has no encoder for (NDFileJPEG `JPEG1:`, NDFileNetCDF `netCDF1:`): its records
 * and the NDFile bookkeeping; no files.
 */
export class UnencodedFilePlugin extends FilePlugin {
  constructor(
    ctx: PluginContext,
    prefix: string,
    opts: FilePluginOptions,
    pluginType: string,
    protected readonly multipleArraysPerFile: boolean,
  ) {
    super(ctx, prefix, opts, pluginType);
  }
  protected encode(): undefined {
    return undefined;
  }
}
