import { parse, type Node, type Pattern, type Program, type Statement } from 'acorn';
import { transform } from 'sucrase';

// Turns a cell's source into a function of the notebook's scope.
//
// Cells are TypeScript or JavaScript with top-level await. sucrase strips the types (only the
// types: it is a fast, well-kept transpiler that leaves modern JS as it is). acorn then finds
// the top-level declarations, which become assignments to the shared scope, so a `const` in
// one cell is visible in the next (the notebook's one namespace); the last expression
// statement becomes the cell's value. The body runs inside `with (scope)` in an async
// function, so names resolve to the scope first and to globals (Math, JSON...) after.

export interface CompiledCell {
  /** Names the cell declares at top level; the runner makes them scope properties first. */
  readonly declared: readonly string[];
  /** Runs the cell; resolves with its value (the last expression), or undefined. */
  run(scope: Record<string, unknown>): Promise<unknown>;
}

export class CellSyntaxError extends Error {
  override readonly name = 'CellSyntaxError';
}

type AsyncFn = (scope: Record<string, unknown>) => Promise<unknown>;
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (arg: string, body: string) => AsyncFn;

const SCOPE = '__duetScope';

export function compileCell(source: string): CompiledCell {
  // Checked before sucrase, which would silently drop an unused import.
  const moduleLine = /^\s*(import|export)[\s{*]/m.exec(source);
  if (moduleLine) {
    throw new CellSyntaxError(`A cell cannot ${moduleLine[1]} (line "${moduleLine[0].trim()}…"): duet, Plot, images, toArray, toRows and display are already in scope; dynamic import() works.`);
  }
  let js: string;
  try {
    js = transform(source, { transforms: ['typescript'], disableESTransforms: true }).code;
  } catch (e) {
    throw new CellSyntaxError(e instanceof Error ? e.message : String(e));
  }
  let program: Program;
  try {
    program = parse(js, { ecmaVersion: 'latest', sourceType: 'script', allowAwaitOutsideFunction: true, allowReturnOutsideFunction: true });
  } catch (e) {
    throw new CellSyntaxError(e instanceof Error ? e.message : String(e));
  }
  const declared: string[] = [];
  const edits: { start: number; end: number; text: string }[] = [];
  const src = (n: Node) => js.slice(n.start, n.end);
  const body = program.body as Statement[];
  body.forEach((stmt, i) => {
    if (stmt.type === 'VariableDeclaration') {
      const parts = stmt.declarations.map((d) => {
        declared.push(...namesIn(d.id));
        return `(${src(d.id)} = ${d.init ? src(d.init) : 'undefined'});`;
      });
      edits.push({ start: stmt.start, end: stmt.end, text: parts.join(' ') });
    } else if ((stmt.type === 'FunctionDeclaration' || stmt.type === 'ClassDeclaration') && stmt.id) {
      declared.push(stmt.id.name);
      edits.push({ start: stmt.start, end: stmt.end, text: `${stmt.id.name} = ${src(stmt)};` });
    } else if (stmt.type === 'ExpressionStatement' && i === body.length - 1) {
      edits.push({ start: stmt.start, end: stmt.end, text: `return (${src(stmt.expression)});` });
    }
  });
  let out = js;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  // A sloppy-mode function on purpose: `with` is what gives cells one shared namespace.
  const fn = new AsyncFunction(SCOPE, `with (${SCOPE}) {\n${out}\n}`);
  return {
    declared,
    run: (scope) => {
      for (const name of declared) if (!(name in scope)) scope[name] = undefined;
      return fn(scope);
    },
  };
}

function namesIn(p: Pattern): string[] {
  switch (p.type) {
    case 'Identifier':
      return [p.name];
    case 'ObjectPattern':
      return p.properties.flatMap((prop) => (prop.type === 'RestElement' ? namesIn(prop.argument) : namesIn(prop.value)));
    case 'ArrayPattern':
      return p.elements.flatMap((e) => (e ? namesIn(e) : []));
    case 'RestElement':
      return namesIn(p.argument);
    case 'AssignmentPattern':
      return namesIn(p.left);
    default:
      return [];
  }
}
