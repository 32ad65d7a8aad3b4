import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startEcsMetadataServer } from '../src/index.js';

void describe('ECS task metadata v4 fake', () => {
  void it('serves container metadata at the URI and task metadata at /task, consistently', async () => {
    const server = await startEcsMetadataServer();
    try {
      const container = (await (await fetch(server.metadataUri)).json()) as Record<string, unknown>;
      for (const field of ['DockerId', 'Name', 'DockerName', 'Image', 'ImageID', 'Labels', 'Limits', 'LogDriver', 'LogOptions', 'ContainerARN', 'Networks']) {
        assert.ok(field in container, `container metadata has ${field}`);
      }
      const logOptions = container.LogOptions as Record<string, string>;
      assert.deepEqual(Object.keys(logOptions).sort(), ['awslogs-create-group', 'awslogs-group', 'awslogs-region', 'awslogs-stream']);
      assert.match(String(container.ContainerARN), /^arn:aws:ecs:us-east-1:123456789012:container\//);

      const task = (await (await fetch(`${server.metadataUri}/task`)).json()) as Record<string, unknown>;
      for (const field of ['Cluster', 'TaskARN', 'Family', 'Revision', 'AvailabilityZone', 'LaunchType', 'Containers']) {
        assert.ok(field in task, `task metadata has ${field}`);
      }
      assert.match(String(task.TaskARN), /^arn:aws:ecs:us-east-1:123456789012:task\/default\/[0-9a-f]{32}$/);
      assert.deepEqual((task.Containers as unknown[])[0], container);
      const labels = container.Labels as Record<string, string>;
      assert.equal(labels['com.amazonaws.ecs.task-arn'], task.TaskARN);
      assert.equal(labels['com.amazonaws.ecs.task-definition-family'], task.Family);
      assert.ok(logOptions['awslogs-stream']?.endsWith(String(task.TaskARN).split('/').at(-1) ?? '?'));
    } finally {
      await server.close();
    }
  });

  void it('applies overrides and serves under a path prefix like the real /v4/<id> URI', async () => {
    const server = await startEcsMetadataServer({
      pathPrefix: '/v4/0123abcd-backend',
      container: { Name: 'api', LogOptions: { 'awslogs-group': '/ecs/cruddur', 'awslogs-region': 'eu-west-1', 'awslogs-stream': 'ecs/api/1' } },
      task: { Family: 'cruddur', LaunchType: 'EC2', AvailabilityZone: 'eu-west-1c', Cluster: 'cruddur-cluster' },
    });
    try {
      assert.equal(server.metadataUri, `${server.url}/v4/0123abcd-backend`);
      const container = (await (await fetch(server.metadataUri)).json()) as { Name: string; LogOptions: Record<string, string> };
      assert.equal(container.Name, 'api');
      assert.equal(container.LogOptions['awslogs-group'], '/ecs/cruddur');
      const task = (await (await fetch(`${server.metadataUri}/task`)).json()) as Record<string, unknown>;
      assert.deepEqual([task.Family, task.LaunchType, task.AvailabilityZone, task.Cluster], ['cruddur', 'EC2', 'eu-west-1c', 'cruddur-cluster']);
      assert.equal((await fetch(`${server.url}/task`)).status, 404, 'nothing outside the prefix');
      assert.deepEqual(
        server.requests.map((request) => [request.path, request.status]),
        [
          ['/v4/0123abcd-backend', 200],
          ['/v4/0123abcd-backend/task', 200],
          ['/task', 404],
        ],
      );
    } finally {
      await server.close();
    }
  });

  void it('fails with 500 or hangs on request', async () => {
    const server = await startEcsMetadataServer({ mode: '500' });
    try {
      assert.equal((await fetch(server.metadataUri)).status, 500);
      server.setMode('hang');
      await assert.rejects(fetch(`${server.metadataUri}/task`, { signal: AbortSignal.timeout(150) }), /aborted due to timeout/);
      server.setMode('ok');
      assert.equal((await fetch(`${server.metadataUri}/task`)).status, 200);
    } finally {
      await server.close();
    }
  });
});
