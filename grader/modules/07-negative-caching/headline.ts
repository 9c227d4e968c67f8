export async function headline(): Promise<never> { throw new Error('todo'); }
