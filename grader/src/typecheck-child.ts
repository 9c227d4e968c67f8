/** The child side of typeWarnings: type-checks the files it is sent with the repo's compiler options. */
import path from 'node:path';
import ts from 'typescript';
import { repoRoot } from '@herd/harness/engine';

process.once('message', (raw) => {
  const { files } = raw as { files: string[] };
  let errors: string[] = [];
  try {
    const configPath = path.join(repoRoot, 'tsconfig.json');
    const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, repoRoot);
    // No @types/node: learner files take everything from deps, and loading Node's types is most of the cost.
    const program = ts.createProgram({ rootNames: files, options: { ...parsed.options, noEmit: true, types: [] } });
    const wanted = new Set(files.map((f) => path.resolve(f)));
    errors = program
      .getSourceFiles()
      .filter((sf) => wanted.has(path.resolve(sf.fileName)))
      .flatMap((sf) => [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)])
      .map((d) => {
        const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
        if (d.file === undefined || d.start === undefined) return `TS${d.code}: ${text}`;
        const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
        return `${path.relative(repoRoot, d.file.fileName)}:${line + 1}:${character + 1}: TS${d.code} ${text}`;
      });
  } catch {
    errors = [];
  }
  process.send!({ errors }, undefined, {}, () => process.exit(0));
});
