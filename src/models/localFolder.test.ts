import { describe, expect, it } from 'vitest';
import { folderSource } from './localFolder.ts';

describe('folderSource(files)', () => {
  it('names the source after the top folder and keeps each file under its relative path', () => {
    const files = [new File(['{}'], 'tiny-llama/config.json'), new File(['x'], 'tiny-llama/onnx/model.onnx')];
    const s = folderSource(files);
    expect(s?.kind).toBe('folder');
    expect(s?.name).toBe('tiny-llama');
    expect(s?.files.map((f) => f.name)).toEqual(['tiny-llama/config.json', 'tiny-llama/onnx/model.onnx']);
  });

  it('renames a picked file to its webkitRelativePath (which does not survive the copy to the worker)', async () => {
    const picked = new File(['{"a":1}'], 'config.json');
    Object.defineProperty(picked, 'webkitRelativePath', { value: 'my-model/config.json' });
    const s = folderSource([picked]);
    expect(s?.name).toBe('my-model');
    expect(s?.files[0].name).toBe('my-model/config.json');
    expect(await s?.files[0].text()).toBe('{"a":1}');
  });

  it('gives null for no files', () => expect(folderSource([])).toBeNull());
});
