import { Button, Group, Paper, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import type { GalleryItem } from '../../src-shared/domain/gallery.js';
import { client } from '../api/client.js';
import { download } from './download.js';

/**
 * What to do with several items at once (Ctrl/Cmd-click toggles one,
 * Shift-click adds a range): delete (committed, with Undo), export, tag.
 */
export function BulkBar(props: {
  items: GalleryItem[];
  onDeleted: (ids: number[]) => void;
  onRestored: () => void;
  onChanged: (item: GalleryItem) => void;
  onClear: () => void;
}) {
  const { items, onDeleted, onRestored, onChanged, onClear } = props;
  const [tag, setTag] = useState('');
  const ids = items.map((i) => i.id);
  const fail = (e: Error) => notifications.show({ color: 'red', message: e.message });

  const remove = async () => {
    try {
      await client.invoke('gallery.delete', { ids });
    } catch (e) {
      return fail(e as Error);
    }
    onDeleted(ids);
    onClear();
    notifications.show({
      id: 'bulk-deleted',
      autoClose: 8000,
      message: (
        <Group justify="space-between">
          <span>
            Deleted {ids.length} item{ids.length === 1 ? '' : 's'}
          </span>
          <Button
            size="compact-xs"
            variant="light"
            data-testid="undo-bulk-delete"
            onClick={() => {
              notifications.hide('bulk-deleted');
              void client.invoke('gallery.restore', { ids }).then(onRestored, fail);
            }}
          >
            Undo
          </Button>
        </Group>
      ),
    });
  };
  const exportAll = async (withMetadata: boolean) => {
    try {
      const { files } = await client.invoke('gallery.export', { ids: ids.slice(0, 200), withMetadata });
      for (const f of files) download(f.name, f.data);
    } catch (e) {
      fail(e as Error);
    }
  };
  const addTag = async () => {
    const t = tag.trim().toLowerCase();
    if (!t) return;
    try {
      for (const item of items)
        if (!item.tags.includes(t))
          onChanged(await client.invoke('gallery.update', { id: item.id, tags: [...item.tags, t] }));
      setTag('');
    } catch (e) {
      fail(e as Error);
    }
  };

  return (
    <Paper withBorder p="xs" data-testid="bulk-bar">
      <Group gap="xs">
        <Text size="sm" fw={500}>
          {ids.length} selected
        </Text>
        <Button size="xs" color="red" variant="light" onClick={() => void remove()} data-testid="bulk-delete">
          Delete
        </Button>
        <Button size="xs" variant="default" onClick={() => void exportAll(true)}>
          Export
        </Button>
        <Button size="xs" variant="default" onClick={() => void exportAll(false)}>
          Export without metadata
        </Button>
        <TextInput
          size="xs"
          placeholder="tag"
          aria-label="Tag to add"
          value={tag}
          onChange={(e) => setTag(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Enter' && void addTag()}
          data-testid="bulk-tag"
          w={120}
        />
        <Button size="xs" variant="default" onClick={() => void addTag()} data-testid="bulk-tag-add">
          Add tag
        </Button>
        <Button size="xs" variant="subtle" onClick={onClear}>
          Clear selection
        </Button>
      </Group>
    </Paper>
  );
}
