import {
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Image,
  ScrollArea,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import type { GalleryItem } from '../../src-shared/domain/gallery.js';
import { client } from '../api/client.js';
import { mediaUrl } from '../api/media.js';
import { handToGenerate } from '../generate/draft.js';
import { samplerMatch } from '../../src-shared/domain/sampler-match.js';
import { samplerLabel } from '../../src-shared/domain/samplers.js';
import { download } from './download.js';
import { UpscaleButton } from './UpscaleButton.js';
import { VariationsButton } from './VariationsButton.js';

type Detail = GalleryItem & { metadataText: string | null };

async function imageBase64(item: GalleryItem): Promise<string> {
  const blob = await (await fetch(mediaUrl(item.image))).blob();
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function LineageStrip({ title, items, onOpen }: { title: string; items: GalleryItem[]; onOpen: (id: number) => void }) {
  if (items.length === 0) return null;
  return (
    <div>
      <Text size="xs" c="dimmed">
        {title}
      </Text>
      <Group gap={4}>
        {items.map((i) => (
          <UnstyledButton
            key={i.id}
            onClick={() => onOpen(i.id)}
            aria-label={`Open ${i.prompt || 'item'} ${i.id}`}
            data-testid={`lineage-${title.toLowerCase()}`}
          >
            <Image src={mediaUrl(i.thumbnail)} alt="" w={48} h={48} radius="sm" />
          </UnstyledButton>
        ))}
      </Group>
    </div>
  );
}

export function GalleryDetail(props: {
  id: number;
  onChanged: (item: GalleryItem) => void;
  onDeleted: (ids: number[]) => void;
  onRestored: () => void;
  onOpen: (id: number) => void;
}) {
  const { id, onChanged, onDeleted, onRestored, onOpen } = props;
  const [item, setItem] = useState<Detail | null>(null);
  const [lineage, setLineage] = useState<{ ancestors: GalleryItem[]; descendants: GalleryItem[] }>({
    ancestors: [],
    descendants: [],
  });

  useEffect(() => {
    let live = true;
    void client.invoke('gallery.get', { id }).then(
      (d) => live && setItem(d),
      (e: Error) => notifications.show({ color: 'red', message: e.message }),
    );
    void client.invoke('gallery.lineage', { id }).then(
      (l) => live && setLineage(l),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [id]);

  if (!item) return null;
  const update = async (patch: { favourite?: boolean; tags?: string[] }) => {
    try {
      const next = await client.invoke('gallery.update', { id, ...patch });
      setItem({ ...item, ...next });
      onChanged(next);
    } catch (err) {
      notifications.show({ color: 'red', title: 'Could not update', message: (err as Error).message });
    }
  };
  const remix = async () => {
    const { params, parentId, missing } = await client.invoke('gallery.remix', { id });
    handToGenerate({ ...params, parentId });
    if (missing.length)
      notifications.show({
        color: 'yellow',
        title: 'Not in your models folder',
        message: `This picture was made with ${missing.join(', ')}. Add them to the models folder to make it again as it was.`,
      });
  };
  const sendAsInit = async (mode: 'img2img' | 'inpaint') => {
    handToGenerate({
      mode,
      initImage: await imageBase64(item),
      width: item.width,
      height: item.height,
      prompt: item.prompt,
      negativePrompt: item.negativePrompt,
      parentId: item.id,
      model: item.modelName,
    });
  };
  const remove = async () => {
    // Committed at once (to the trash); Undo restores it.
    try {
      await client.invoke('gallery.delete', { ids: [id] });
    } catch (e) {
      notifications.show({ color: 'red', message: (e as Error).message });
      return;
    }
    onDeleted([id]);
    notifications.show({
      id: `deleted-${id}`,
      message: (
        <Group justify="space-between">
          <span>Deleted 1 item</span>
          <Button
            size="compact-xs"
            variant="light"
            data-testid="undo-delete"
            onClick={() => {
              notifications.hide(`deleted-${id}`);
              void client.invoke('gallery.restore', { ids: [id] }).then(
                () => onRestored(),
                (e: Error) => notifications.show({ color: 'red', message: e.message }),
              );
            }}
          >
            Undo
          </Button>
        </Group>
      ),
      autoClose: 8000,
    });
  };
  const exportImage = async (withMetadata: boolean) => {
    const { files } = await client.invoke('gallery.export', { ids: [id], withMetadata });
    for (const f of files) download(f.name, f.data);
  };

  const rows: [string, string | number | null][] = [
    ['Prompt', item.prompt],
    ['Negative prompt', item.negativePrompt || null],
    ['Model', item.modelName && `${item.modelName}${item.modelHash ? ` [${item.modelHash}]` : ''}`],
    // Our own items record the id as their label: show it as words.
    [
      'Sampler',
      item.sampler && item.samplerLabel === item.sampler
        ? samplerLabel(item.sampler)
        : (item.samplerLabel ?? item.sampler),
    ],
    ['Reproduction', samplerMatch(item.source, item.sampler, item.samplerLabel, item.rng)?.text ?? null],
    ['Steps', item.steps],
    ['CFG scale', item.cfgScale],
    ['Seed', item.seed],
    [
      'Variation seed',
      item.variationSeed != null && item.variationStrength
        ? `${item.variationSeed} at strength ${item.variationStrength}`
        : null,
    ],
    [
      'Seed resize from',
      item.seedResizeFromWidth && item.seedResizeFromHeight
        ? `${item.seedResizeFromWidth}x${item.seedResizeFromHeight}`
        : null,
    ],
    ['RNG', item.rng],
    ['Size', `${item.width}x${item.height}`],
    ['VAE', item.vae],
    [
      'Hires fix',
      (item.hiresScale ?? 1) > 1
        ? `x${item.hiresScale} (${item.hiresUpscaler ?? 'latent'}), denoising ${item.hiresDenoise}${item.hiresSteps ? `, ${item.hiresSteps} steps` : ''}`
        : null,
    ],
    // SDXL's size conditioning, when it was not the default.
    [
      'Original size',
      item.originalWidth != null || item.originalHeight != null
        ? `${item.originalWidth ?? item.width}x${item.originalHeight ?? item.height}`
        : null,
    ],
    [
      'Crop top-left',
      item.cropTop != null || item.cropLeft != null ? `${item.cropTop ?? 0},${item.cropLeft ?? 0}` : null,
    ],
    ['Strength', item.strength],
    ['Inpaint area', item.inpaintArea === 'masked' ? `Only masked (padding ${item.maskPadding ?? 32})` : null],
    ['Mode', item.mode],
    ['Source', item.source],
    ['Provider', item.provider],
    ['Time', item.durationMs !== null ? `${(item.durationMs / 1000).toFixed(1)} s` : null],
    ['Created', new Date(item.createdAt).toLocaleString()],
  ];
  return (
    <ScrollArea h="calc(100vh - 140px)" data-testid="gallery-detail">
      <Stack gap="sm">
        <Image src={mediaUrl(item.image)} alt={item.prompt} radius="sm" data-testid="detail-image" />
        <Group gap="xs">
          <Button size="xs" onClick={() => void remix()} data-testid="remix-button">
            Remix
          </Button>
          <VariationsButton id={item.id} />
          <UpscaleButton id={item.id} />
          <Button size="xs" variant="light" onClick={() => void sendAsInit('img2img')}>
            Use as init image
          </Button>
          <Button size="xs" variant="light" onClick={() => void sendAsInit('inpaint')} data-testid="inpaint-this">
            Inpaint this
          </Button>
          <CopyButton value={item.prompt}>
            {({ copied, copy }) => (
              <Button size="xs" variant="default" onClick={copy}>
                {copied ? 'Copied' : 'Copy prompt'}
              </Button>
            )}
          </CopyButton>
          <CopyButton value={String(item.seed ?? '')}>
            {({ copied, copy }) => (
              <Button size="xs" variant="default" onClick={copy}>
                {copied ? 'Copied' : 'Copy seed'}
              </Button>
            )}
          </CopyButton>
          <Button size="xs" variant="default" onClick={() => void exportImage(true)}>
            Export
          </Button>
          <Button size="xs" variant="default" onClick={() => void exportImage(false)}>
            Export without metadata
          </Button>
          <Button size="xs" color="red" variant="light" onClick={() => void remove()} data-testid="delete-button">
            Delete
          </Button>
        </Group>
        <Switch
          label="Favourite"
          checked={item.favourite}
          onChange={(e) => void update({ favourite: e.currentTarget.checked })}
          data-testid="favourite-switch"
        />
        <TagsInput label="Tags" value={item.tags} onChange={(tags) => void update({ tags })} clearable />
        <LineageStrip title="Parents" items={lineage.ancestors} onOpen={onOpen} />
        <LineageStrip title="Children" items={lineage.descendants} onOpen={onOpen} />
        <Title order={5}>Parameters</Title>
        <Table data-testid="detail-parameters">
          <Table.Tbody>
            {rows
              .filter(([, v]) => v !== null && v !== '')
              .map(([k, v]) => (
                <Table.Tr key={k}>
                  <Table.Th w={130}>{k}</Table.Th>
                  <Table.Td style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>{String(v)}</Table.Td>
                </Table.Tr>
              ))}
          </Table.Tbody>
        </Table>
        {item.tags.length > 0 && (
          <Group gap={4}>
            {item.tags.map((t) => (
              <Badge key={t} variant="light">
                {t}
              </Badge>
            ))}
          </Group>
        )}
        {item.metadataText && (
          <>
            <Title order={5}>Metadata as written</Title>
            <Code block style={{ whiteSpace: 'pre-wrap' }}>
              {item.metadataText}
            </Code>
          </>
        )}
      </Stack>
    </ScrollArea>
  );
}
