import { Alert, Badge, Button, Card, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { client } from '../api/client.js';
import { useCall } from '../api/use-call.js';

export function ModelsPage() {
  const models = useCall('models.list', {});
  const info = useCall('system.info', {});

  const makeDefault = async (name: string) => {
    try {
      await client.invoke('settings.set', { defaultModel: name });
      models.reload();
      notifications.show({ message: `${name} is now the default model`, color: 'green' });
    } catch (err) {
      notifications.show({ color: 'red', message: (err as Error).message });
    }
  };

  return (
    <Stack maw={1000}>
      <Title order={2}>Models</Title>
      <Text size="sm" c="dimmed">
        Models are ONNX exports of Stable Diffusion in the Hugging Face folder layout. Put a model folder in{' '}
        <Text span ff="monospace">{info.data?.modelsDir ?? 'the models folder'}</Text> and it appears here; the README lists models to get.
      </Text>
      {models.loading && !models.data && <Loader aria-label="Loading models" />}
      {models.error && <Alert color="red">{models.error}</Alert>}
      {models.data && models.data.models.length === 0 && <Alert title="No models yet">No model folders were found.</Alert>}
      {models.data && models.data.models.length > 0 && (
        <Card withBorder>
          <Table data-testid="models-table">
            <Table.Thead>
              <Table.Tr><Table.Th>Name</Table.Th><Table.Th>Source</Table.Th><Table.Th>Status</Table.Th><Table.Th /></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {models.data.models.map((m) => (
                <Table.Tr key={m.name} data-testid={`model-row-${m.name}`}>
                  <Table.Td>
                    <Group gap="xs">
                      <Text fw={500}>{m.name}</Text>
                      {models.data!.defaultModel === m.name && <Badge size="sm">default</Badge>}
                    </Group>
                  </Table.Td>
                  <Table.Td>{m.source === 'builtin' ? 'Ships with the app' : 'Models folder'}</Table.Td>
                  <Table.Td>{m.problem ? <Text c="red" size="sm">{m.problem}</Text> : <Text c="green" size="sm">Ready</Text>}</Table.Td>
                  <Table.Td>
                    {!m.problem && models.data!.defaultModel !== m.name && (
                      <Button size="xs" variant="light" onClick={() => void makeDefault(m.name)}>Make default</Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
    </Stack>
  );
}
