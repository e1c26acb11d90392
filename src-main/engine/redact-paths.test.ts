import { describe, expect, it } from 'vitest';
import { redactPaths } from './redact-paths.js';

describe('redactPaths', () => {
  it('keeps the last two parts of absolute paths and nothing before them', () => {
    expect(
      redactPaths(
        'Load model from /home/ana/models/my-model/unet/model.onnx failed:Protobuf parsing failed (see /tmp/x.log)',
      ),
    ).toBe('Load model from …/unet/model.onnx failed:Protobuf parsing failed (see …/tmp/x.log)');
    expect(redactPaths('cannot open C:\\Users\\ana\\models\\m\\unet\\model.onnx')).toBe(
      'cannot open …\\unet\\model.onnx',
    );
    // Graph node names look like paths and are shortened the same way (the log keeps them whole).
    expect(redactPaths('at node /down_blocks.0/attentions.0/Add')).toBe('at node …/attentions.0/Add');
    expect(redactPaths('plain words, a ratio 3/4 and a url-ish a/b')).toBe(
      'plain words, a ratio 3/4 and a url-ish a/b',
    );
  });
});
