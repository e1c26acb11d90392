import { useCallback, useEffect, useRef, useState } from 'react';
import type { GalleryItem, GallerySearch } from '../../src-shared/domain/gallery.js';
import { client } from '../api/client.js';

const PAGE = 200;

/** Keyset-paged gallery results for a search; loadMore() fetches the next page. */
export function useGalleryPages(search: Omit<GallerySearch, 'cursor' | 'limit'>) {
  const [items, setItems] = useState<GalleryItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const loading = useRef(false);
  const generation = useRef(0);
  const key = JSON.stringify(search);

  const fetchPage = useCallback(
    async (from: string | null, reset: boolean) => {
      if (loading.current && !reset) return;
      loading.current = true;
      const mine = ++generation.current;
      try {
        const page = await client.invoke('gallery.search', {
          ...(JSON.parse(key) as GallerySearch),
          limit: PAGE,
          cursor: from ?? undefined,
        });
        if (mine !== generation.current) return;
        setItems((prev) => (reset ? page.items : [...prev, ...page.items]));
        setCursor(page.nextCursor);
        setDone(page.nextCursor === null);
        setError(null);
      } catch (err) {
        if (mine === generation.current) setError((err as Error).message);
      } finally {
        if (mine === generation.current) loading.current = false;
      }
    },
    [key],
  );

  useEffect(() => {
    setItems([]);
    setDone(false);
    void fetchPage(null, true);
  }, [fetchPage]);

  const loadMore = useCallback(() => {
    if (!done && cursor && !loading.current) void fetchPage(cursor, false);
  }, [cursor, done, fetchPage]);

  const reload = useCallback(() => void fetchPage(null, true), [fetchPage]);
  const replace = useCallback(
    (item: GalleryItem) => setItems((prev) => prev.map((i) => (i.id === item.id ? item : i))),
    [],
  );
  const remove = useCallback((ids: number[]) => setItems((prev) => prev.filter((i) => !ids.includes(i.id))), []);

  return { items, done, error, loadMore, reload, replace, remove };
}
