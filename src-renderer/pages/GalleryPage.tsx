import { Alert, Grid, Group, Select, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import type { GalleryItem, ImportResult } from '../../src-shared/domain/gallery.js';
import { SAMPLERS, type SamplerName, samplerFamily, samplerLabel } from '../../src-shared/domain/samplers.js';
import { EXACT_SAMPLER_IDS } from '../../src-shared/domain/exact-samplers.js';

/** Both families, grouped, by the names their tools use. */
const SAMPLER_FILTER = [
  { group: 'diffusers', items: SAMPLERS.map((s) => ({ value: s.name, label: s.label })) },
  ...(['a1111', 'comfyui'] as const).map((tool) => ({
    group: tool === 'a1111' ? 'A1111 exact' : 'ComfyUI exact',
    items: EXACT_SAMPLER_IDS.filter((id) => samplerFamily(id) === tool).map((id) => ({
      value: id,
      label: samplerLabel(id),
    })),
  })),
];
import { useCall } from '../api/use-call.js';
import { client } from '../api/client.js';
import { BulkBar } from '../gallery/BulkBar.js';
import { GalleryGrid } from '../gallery/GalleryGrid.js';
import { Lightbox } from '../gallery/Lightbox.js';
import { GalleryDetail } from '../gallery/GalleryDetail.js';
import { useGalleryPages } from '../gallery/use-gallery-pages.js';
import { takeGalleryPick } from '../generate/draft.js';
import { fileToBase64 } from '../generate/file-to-base64.js';

/** "Imported 3, 1 already in the gallery, skipped 2 (why), made with LoRA \"x\", not in your models folder". */
function importSummary(r: ImportResult): string {
  const existed = r.imported.filter((i) => i.existed).length;
  const added = r.imported.length - existed;
  const parts = [`Imported ${added}`];
  if (existed) parts.push(`${existed} already in the gallery`);
  if (r.failed.length)
    parts.push(`skipped ${r.failed.length}: ${r.failed[0]!.reason}${r.failed.length > 1 ? ', ...' : ''}`);
  const missing = [...new Set(r.imported.flatMap((i) => i.missing ?? []))];
  if (missing.length) parts.push(`made with ${missing.join(', ')}, not in your models folder`);
  return parts.join(', ');
}

export function GalleryPage() {
  const [query, setQuery] = useState('');
  const [debounced] = useDebouncedValue(query, 250);
  const [favourite, setFavourite] = useState(false);
  const [sort, setSort] = useState<'newest' | 'oldest' | 'random'>('newest');
  const [model, setModel] = useState<string | null>(null);
  const [sampler, setSampler] = useState<SamplerName | null>(null);
  const [tag, setTag] = useState('');
  const [debouncedTag] = useDebouncedValue(tag.trim(), 300);
  const [lora, setLora] = useState('');
  const [debouncedLora] = useDebouncedValue(lora.trim(), 300);
  const [hasParent, setHasParent] = useState<'any' | 'yes' | 'no'>('any');
  const models = useCall('models.list', {});
  const [selected, setSelected] = useState<number | null>(takeGalleryPick);
  const [viewing, setViewing] = useState<number | null>(null);
  // Multi-select: Ctrl/Cmd-click toggles an item, Shift-click adds the range from the last one clicked.
  const [picked, setPicked] = useState<ReadonlySet<number>>(new Set());
  const lastClicked = useRef<number | null>(null);
  const [dragging, setDragging] = useState(false);
  const pages = useGalleryPages({
    query: debounced.trim() || undefined,
    favourite: favourite || undefined,
    model: model ?? undefined,
    sampler: sampler ?? undefined,
    tag: debouncedTag || undefined,
    lora: debouncedLora || undefined,
    hasParent: hasParent === 'any' ? undefined : hasParent === 'yes',
    sort,
    randomSeed: 1,
  });

  // New generations and imports (from any window) appear without a reload; a burst reloads once.
  const reload = pages.reload;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = client.on('gallery.added', () => {
      clearTimeout(timer);
      timer = setTimeout(reload, 300);
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [reload]);

  const onCellClick = (item: GalleryItem, how: { toggle: boolean; range: boolean }) => {
    if (how.range && lastClicked.current !== null) {
      const ids = pages.items.map((i) => i.id);
      const [a, b] = [ids.indexOf(lastClicked.current), ids.indexOf(item.id)].sort((x, y) => x - y);
      if (a! >= 0) setPicked((p) => new Set([...p, ...ids.slice(a, b! + 1)]));
    } else if (how.toggle) {
      setPicked((p) => {
        const next = new Set(p);
        if (!next.delete(item.id)) next.add(item.id);
        return next;
      });
    } else {
      setPicked(new Set());
      setSelected(item.id);
    }
    lastClicked.current = item.id;
  };

  const onDrop = useCallback(
    async (e: DragEvent) => {
      e.preventDefault();
      setDragging(false);
      const files = [...e.dataTransfer.files].filter((f) => /\.(png|jpe?g|webp)$/i.test(f.name));
      if (files.length === 0) return;
      try {
        const result = await client.invoke('gallery.import', {
          files: await Promise.all(files.map(async (f) => ({ name: f.name, data: await fileToBase64(f) }))),
        });
        notifications.show({
          message: importSummary(result),
          color: result.failed.length ? 'yellow' : 'green',
        });
        pages.reload();
      } catch (err) {
        notifications.show({ color: 'red', title: 'Import failed', message: (err as Error).message });
      }
    },
    [pages],
  );

  const onChanged = useCallback((item: GalleryItem) => pages.replace(item), [pages]);
  const onDeleted = useCallback(
    (ids: number[]) => {
      pages.remove(ids);
      setSelected(null);
    },
    [pages],
  );

  return (
    <Grid
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => void onDrop(e)}
      style={{ outline: dragging ? '2px dashed var(--mantine-color-violet-5)' : undefined }}
    >
      <Grid.Col span={selected ? 8 : 12}>
        <Stack gap="sm">
          <Group justify="space-between">
            <Title order={2}>Gallery</Title>
            <Text size="sm" c="dimmed">
              Drop PNG, JPEG or WebP files here to import them with their parameters
            </Text>
          </Group>
          <Group>
            <TextInput
              placeholder='Search prompts: words, "phrases", prefix*, AND, OR, NOT'
              aria-label="Search prompts"
              value={query}
              onChange={(e) => setQuery(e.currentTarget.value)}
              style={{ flex: 1 }}
              data-testid="gallery-search"
            />
            <Select
              aria-label="Sort"
              value={sort}
              onChange={(v) => v && setSort(v as typeof sort)}
              data={[
                { value: 'newest', label: 'Newest' },
                { value: 'oldest', label: 'Oldest' },
                { value: 'random', label: 'Random' },
              ]}
              w={120}
              allowDeselect={false}
            />
            <Switch label="Favourites" checked={favourite} onChange={(e) => setFavourite(e.currentTarget.checked)} />
          </Group>
          <Group gap="xs">
            <Select
              aria-label="Model"
              placeholder="Any model"
              clearable
              value={model}
              onChange={setModel}
              data={(models.data?.models ?? []).map((m) => m.name)}
              w={180}
              size="xs"
            />
            <Select
              aria-label="Sampler"
              data-testid="filter-sampler"
              placeholder="Any sampler"
              clearable
              value={sampler}
              onChange={(v) => setSampler(v as SamplerName | null)}
              data={SAMPLER_FILTER}
              searchable
              comboboxProps={{ width: 'max-content' }}
              w={180}
              size="xs"
            />
            <TextInput
              aria-label="Tag"
              placeholder="Tag"
              value={tag}
              onChange={(e) => setTag(e.currentTarget.value)}
              w={140}
              size="xs"
            />
            <TextInput
              aria-label="LoRA"
              placeholder="LoRA used"
              data-testid="filter-lora"
              value={lora}
              onChange={(e) => setLora(e.currentTarget.value)}
              w={140}
              size="xs"
            />
            <Select
              aria-label="Lineage"
              value={hasParent}
              onChange={(v) => setHasParent((v as typeof hasParent) ?? 'any')}
              data={[
                { value: 'any', label: 'Any origin' },
                { value: 'yes', label: 'Remixes / img2img' },
                { value: 'no', label: 'Originals' },
              ]}
              w={170}
              size="xs"
              allowDeselect={false}
            />
          </Group>
          {pages.error && <Alert color="red">{pages.error}</Alert>}
          {!pages.error && pages.items.length === 0 && pages.done && (
            <Text c="dimmed" data-testid="gallery-empty">
              {query.trim() || model || sampler || tag.trim() || lora.trim() || favourite || hasParent !== 'any'
                ? 'No matches: nothing in the gallery fits this search and these filters.'
                : 'Nothing here yet.'}
            </Text>
          )}
          {picked.size > 0 && (
            <BulkBar
              items={pages.items.filter((i) => picked.has(i.id))}
              onDeleted={onDeleted}
              onRestored={pages.reload}
              onChanged={onChanged}
              onClear={() => setPicked(new Set())}
            />
          )}
          <GalleryGrid
            onView={(item) => setViewing(item.id)}
            items={pages.items}
            selectedId={selected}
            onSelect={onCellClick}
            picked={picked}
            onNearEnd={pages.loadMore}
          />
        </Stack>
      </Grid.Col>
      {selected !== null && (
        <Grid.Col span={4}>
          <GalleryDetail
            key={selected}
            id={selected}
            onChanged={onChanged}
            onDeleted={onDeleted}
            onRestored={pages.reload}
            onOpen={setSelected}
          />
        </Grid.Col>
      )}
      <Lightbox items={pages.items} id={viewing} onMove={setViewing} onClose={() => setViewing(null)} />
    </Grid>
  );
}
