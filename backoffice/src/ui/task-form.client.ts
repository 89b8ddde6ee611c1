// Runs in the clerk's browser on the task page: renders the task's form with the form-js viewer
// and posts the data as JSON. The server validates it again; its field messages are shown here.
import { Form } from '@bpmn-io/form-js-viewer';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';

function readJson(id: string): unknown {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent || 'null') : null;
}

async function main(): Promise<void> {
  const container = document.getElementById('task-form');
  const button = document.getElementById('task-complete') as HTMLButtonElement | null;
  const status = document.getElementById('task-form-status');
  if (!container || !button || !status) return;
  const schema = readJson('task-form-schema') as object;
  const data = (readJson('task-form-data') ?? {}) as Record<string, unknown>;
  const action = container.dataset.action as string;

  const form = new Form({ container });
  await form.importSchema(schema, data);

  button.addEventListener('click', async () => {
    const result = form.submit();
    if (Object.keys(result.errors).length) {
      status.textContent = container.dataset.msgInvalid ?? '';
      return;
    }
    button.disabled = true;
    status.textContent = container.dataset.msgSending ?? '';
    try {
      const res = await fetch(action, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify({ data: result.data }),
      });
      const body = (await res.json().catch(() => null)) as { redirect?: string; error?: { message?: string; fields?: Record<string, string> } } | null;
      if (res.ok && body?.redirect) {
        window.location.assign(body.redirect);
        return;
      }
      const fields = body?.error?.fields ? Object.values(body.error.fields).join(' ') : '';
      status.textContent = [body?.error?.message, fields].filter(Boolean).join(' ');
    } catch {
      status.textContent = container.dataset.msgFailed ?? '';
    }
    button.disabled = false;
  });
}

void main();
