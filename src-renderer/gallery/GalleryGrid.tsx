import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import type { GalleryItem } from '../../src-shared/domain/gallery.js';
import { mediaUrl } from '../api/media.js';

const CELL = 168;
const GAP = 8;

/**
 * A virtualized grid of thumbnails: only the rows in view (plus a few) are in
 * the DOM, so 100,000 items scroll as smoothly as 100.
 */
export function GalleryGrid(props: {
  items: GalleryItem[];
  selectedId: number | null;
  /** A click; `toggle` with Ctrl/Cmd, `range` with Shift (multi-select). */
  onSelect: (item: GalleryItem, how: { toggle: boolean; range: boolean }) => void;
  /** Items picked for a bulk action. */
  picked?: ReadonlySet<number>;
  /** Double-click: the picture at full size. */
  onView?: (item: GalleryItem) => void;
  onNearEnd: () => void;
}) {
  const { items, selectedId, onSelect, onView, onNearEnd, picked } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [columns, setColumns] = useState(4);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setColumns(Math.max(1, Math.floor((el.clientWidth - GAP) / (CELL + GAP))));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const rows = Math.ceil(items.length / columns);
  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => scroller.current,
    estimateSize: () => CELL + GAP,
    overscan: 4,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastRow = virtualRows[virtualRows.length - 1]?.index ?? 0;
  useEffect(() => {
    if (rows > 0 && lastRow >= rows - 6) onNearEnd();
  }, [lastRow, rows, onNearEnd]);

  return (
    // The ARIA grid pattern on divs: a virtualised list of absolutely placed rows cannot be a <table>.
    // biome-ignore lint/a11y/useSemanticElements: see above
    <div
      ref={scroller}
      data-testid="gallery-grid"
      style={{ height: 'calc(100vh - 210px)', overflow: 'auto' }}
      role="grid"
      aria-label="Gallery"
      aria-rowcount={rows}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualRows.map((row) => (
          // biome-ignore lint/a11y/useSemanticElements: ARIA grid rows (see above); cells are the focusable buttons
          // biome-ignore lint/a11y/useFocusableInteractive: see above
          <div
            key={row.key}
            role="row"
            aria-rowindex={row.index + 1}
            style={{ position: 'absolute', top: row.start, left: 0, display: 'flex', gap: GAP }}
          >
            {items.slice(row.index * columns, row.index * columns + columns).map((item) => (
              // biome-ignore lint/a11y/useSemanticElements: ARIA gridcell (see above)
              <button
                key={item.id}
                type="button"
                role="gridcell"
                data-testid="gallery-cell"
                data-id={item.id}
                aria-label={`${item.prompt || 'Untitled'} (seed ${item.seed ?? 'unknown'})`}
                aria-selected={item.id === selectedId}
                onClick={(e) => onSelect(item, { toggle: e.ctrlKey || e.metaKey, range: e.shiftKey })}
                data-picked={picked?.has(item.id) || undefined}
                onDoubleClick={() => onView?.(item)}
                title={[
                  item.prompt || 'Untitled',
                  `seed ${item.seed ?? '-'} · ${item.width}x${item.height}${item.sampler ? ` · ${item.sampler}` : ''}${item.steps ? ` · ${item.steps} steps` : ''}`,
                ].join('\n')}
                style={{
                  width: CELL,
                  height: CELL,
                  padding: 0,
                  border: picked?.has(item.id)
                    ? '3px solid var(--mantine-color-cyan-5)'
                    : item.id === selectedId
                      ? '3px solid var(--mantine-color-violet-5)'
                      : '1px solid var(--mantine-color-default-border)',
                  borderRadius: 6,
                  overflow: 'hidden',
                  cursor: 'pointer',
                  background: 'var(--mantine-color-default)',
                  position: 'relative',
                }}
              >
                <img
                  src={mediaUrl(item.thumbnail)}
                  alt=""
                  loading="lazy"
                  style={{ width: '100%', height: '100%', objectFit: 'cover', display: 'block' }}
                />
                {item.favourite && (
                  <span
                    aria-hidden
                    style={{ position: 'absolute', top: 4, right: 6, color: 'gold', textShadow: '0 0 2px black' }}
                  >
                    ★
                  </span>
                )}
              </button>
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}
