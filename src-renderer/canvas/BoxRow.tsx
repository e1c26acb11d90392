/**
 * What a canvas generation fills: the whole picture, or the bounding box
 * with its size, where it is, whether it outpaints and the size it is made
 * at; the switch for making it at the model's size, and back to the whole picture.
 */
import { Button, Group, Switch, Text } from '@mantine/core';
import { updateDraft } from '../generate/draft.js';
import { boxLabel, type Rect } from './bbox.js';
import { bboxRemoved } from './canvas-store.js';

type Size = { width: number; height: number };

export function BoxRow(props: {
  bbox: Rect | null;
  picture: Size;
  outpaints: boolean;
  madeAt: Size | null;
  scaled: boolean;
  canScale: boolean;
}) {
  const { bbox, picture, madeAt } = props;
  const rescaled = bbox && madeAt && (madeAt.width !== bbox.width || madeAt.height !== bbox.height);
  return (
    // A fixed height: the box's controls appearing must not move the stage under the pointer.
    <Group gap="xs" mih={28}>
      <Text size="xs" c="dimmed" data-testid="bbox-size">
        {bbox
          ? `Generates the box: ${boxLabel(bbox)} at ${bbox.x},${bbox.y}${props.outpaints ? ' (beyond the edge: outpaints)' : ''}${
              rescaled ? `, made at ${boxLabel({ ...bbox, ...madeAt })}` : ''
            }`
          : `Generates the whole picture (${picture.width}×${picture.height}); the Box tool (C) picks a part`}
      </Text>
      {bbox && (
        <>
          <Switch
            size="xs"
            label="At the model's size"
            checked={props.scaled}
            disabled={!props.canScale}
            onChange={(e) => updateDraft({ bboxScaled: e.currentTarget.checked })}
            data-testid="bbox-scaled"
          />
          <Button size="compact-xs" variant="subtle" onClick={() => bboxRemoved(picture)} data-testid="bbox-clear">
            Whole picture
          </Button>
        </>
      )}
    </Group>
  );
}
