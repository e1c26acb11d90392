import { useEffect, useState } from 'react';
import {
  AppShell,
  Group,
  MantineProvider,
  NavLink,
  Title,
  createTheme,
  localStorageColorSchemeManager,
  useMantineColorScheme,
  Text,
} from '@mantine/core';
import { client } from './api/client.js';
import { HelpOverlay } from './HelpOverlay.js';
import { Notifications } from '@mantine/notifications';
import { GeneratePage } from './pages/GeneratePage.js';
import { GalleryPage } from './pages/GalleryPage.js';
import { ModelsPage } from './pages/ModelsPage.js';
import { SettingsPage } from './pages/SettingsPage.js';

const theme = createTheme({ primaryColor: 'violet', defaultRadius: 'md' });
const colorSchemeManager = localStorageColorSchemeManager({ key: 'latent-studio-color-scheme' });

export const PAGES = [
  { id: 'generate', label: 'Generate', Component: GeneratePage },
  { id: 'gallery', label: 'Gallery', Component: GalleryPage },
  { id: 'models', label: 'Models', Component: ModelsPage },
  { id: 'settings', label: 'Settings', Component: SettingsPage },
] as const;
type PageId = (typeof PAGES)[number]['id'];

function pageFromHash(): PageId {
  const id = window.location.hash.replace(/^#\/?/, '');
  return PAGES.some((p) => p.id === id) ? (id as PageId) : 'generate';
}

/** The persisted theme wins over the browser's local copy once settings arrive. */
function ThemeSync() {
  const { setColorScheme } = useMantineColorScheme();
  useEffect(() => {
    client.invoke('settings.get', {}).then(
      (s) => setColorScheme(s.theme),
      () => {},
    );
  }, [setColorScheme]);
  return null;
}

export function App() {
  const [page, setPage] = useState<PageId>(pageFromHash);
  useEffect(() => {
    const onHash = () => setPage(pageFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const Current = PAGES.find((p) => p.id === page)!.Component;

  return (
    <MantineProvider theme={theme} defaultColorScheme="dark" colorSchemeManager={colorSchemeManager}>
      <ThemeSync />
      <HelpOverlay />
      <Notifications position="bottom-right" />
      <AppShell header={{ height: 52 }} navbar={{ width: 200, breakpoint: 0 }} padding="md">
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between">
            <Title order={4}>Latent Studio</Title>
            <Text size="xs" c="dimmed">
              Press ? for shortcuts
            </Text>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs" aria-label="Pages">
          {PAGES.map((p) => (
            <NavLink
              key={p.id}
              href={`#/${p.id}`}
              label={p.label}
              active={p.id === page}
              aria-current={p.id === page ? 'page' : undefined}
              data-testid={`nav-${p.id}`}
            />
          ))}
        </AppShell.Navbar>
        <AppShell.Main>
          <Current />
        </AppShell.Main>
      </AppShell>
    </MantineProvider>
  );
}
