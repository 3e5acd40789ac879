/**
 * Local model folders: the files are read in the browser (File objects handed to the worker) and
 * never uploaded. Two ways in: the File System Access directory picker (`showDirectoryPicker`,
 * Chromium) and the `<input type="file" webkitdirectory>` fallback.
 */
import type { ModelSource } from '../worker/protocol.ts';

/** The parts of a FileSystemDirectoryHandle we use (lib.dom lacks `values()` in some versions). */
export interface DirectoryHandleLike {
  readonly kind: 'directory';
  readonly name: string;
  values(): AsyncIterable<DirectoryHandleLike | FileHandleLike>;
}
export interface FileHandleLike {
  readonly kind: 'file';
  readonly name: string;
  getFile(): Promise<File>;
}

/** Folders never needed to load a model; skipped so picking a git checkout does not read its history. */
const SKIP_DIRS = new Set(['.git', 'node_modules', '.cache']);

/**
 * Reads every file under a directory handle, depth first.
 * @returns Files named `{folder}/{relative path}` (so `relativePath` in the worker finds `onnx/model.onnx`).
 */
export async function filesFromDirectory(dir: DirectoryHandleLike): Promise<File[]> {
  const out: File[] = [];
  const walk = async (d: DirectoryHandleLike, prefix: string): Promise<void> => {
    for await (const h of d.values()) {
      if (h.kind === 'directory') {
        if (!SKIP_DIRS.has(h.name)) await walk(h, `${prefix}${h.name}/`);
      } else {
        const f = await h.getFile();
        out.push(new File([f], `${prefix}${h.name}`, { type: f.type, lastModified: f.lastModified }));
      }
    }
  };
  await walk(dir, `${dir.name}/`);
  return out;
}

/**
 * A folder model source from picked files. Each File is renamed to its `webkitRelativePath`
 * (`{folder}/{path}`), because a File's relative path does not survive the copy to the worker.
 * @returns null when no file was picked.
 */
export function folderSource(files: readonly File[]): Extract<ModelSource, { kind: 'folder' }> | null {
  if (files.length === 0) return null;
  const named = files.map((f) => {
    const rel = (f as File & { webkitRelativePath?: string }).webkitRelativePath;
    return rel && rel !== f.name ? new File([f], rel, { type: f.type, lastModified: f.lastModified }) : f;
  });
  const first = named[0].name;
  return { kind: 'folder', name: first.includes('/') ? first.split('/')[0] : 'folder', files: named };
}

/** The directory picker when the browser has one (Chromium's File System Access API). */
export function directoryPicker(): (() => Promise<DirectoryHandleLike>) | null {
  const w = globalThis as unknown as { showDirectoryPicker?: (o?: object) => Promise<DirectoryHandleLike> };
  return typeof w.showDirectoryPicker === 'function' ? () => w.showDirectoryPicker!({ mode: 'read' }) : null;
}
