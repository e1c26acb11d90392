import { Group, Image, Modal, Text } from '@mantine/core';
import { useEffect } from 'react';
import type { GalleryItem } from '../../src-shared/domain/gallery.js';
import { mediaUrl } from '../api/media.js';

/** The full-size picture over the page; ← and → step through the grid's items, Escape closes. */
export function Lightbox(props: {
  items: GalleryItem[];
  id: number | null;
  onMove: (id: number) => void;
  onClose: () => void;
}) {
  const { items, id, onMove, onClose } = props;
  const index = items.findIndex((i) => i.id === id);
  const item = index >= 0 ? items[index] : undefined;
  useEffect(() => {
    if (!item) return;
    const onKey = (e: KeyboardEvent) => {
      const next = e.key === 'ArrowRight' ? items[index + 1] : e.key === 'ArrowLeft' ? items[index - 1] : undefined;
      if (next) {
        e.preventDefault();
        onMove(next.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [item, items, index, onMove]);
  return (
    <Modal opened={!!item} onClose={onClose} fullScreen title={item ? `${index + 1} of ${items.length}` : ''}>
      {item && (
        <>
          <Image
            src={mediaUrl(item.image)}
            alt={item.prompt}
            fit="contain"
            h="calc(100vh - 140px)"
            data-testid="lightbox-image"
            data-id={item.id}
          />
          <Group justify="space-between" mt="xs">
            <Text size="sm" lineClamp={1} style={{ flex: 1 }}>
              {item.prompt || 'Untitled'}
            </Text>
            <Text size="xs" c="dimmed">
              seed {item.seed ?? '-'} · {item.width}x{item.height} · ← → to step, Esc to close
            </Text>
          </Group>
        </>
      )}
    </Modal>
  );
}
