import { useEffect, useRef } from 'react';
import { basicSetup } from 'codemirror';
import { javascript } from '@codemirror/lang-javascript';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';

// A CodeMirror 6 editor for one cell: TypeScript highlighting, brackets, undo, search; Shift+Enter runs.

const theme = EditorView.theme({
  '&': { fontSize: '13.5px', backgroundColor: 'transparent' },
  '.cm-content': { fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, monospace", padding: '8px 0' },
  '.cm-gutters': { backgroundColor: 'transparent', border: 'none', color: '#a0a6bb' },
  '&.cm-focused': { outline: 'none' },
});

export function CodeEditor({ value, onChange, onRun, label }: { value: string; onChange: (code: string) => void; onRun: () => void; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const handlers = useRef({ onChange, onRun });
  handlers.current = { onChange, onRun };

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          Prec.highest(keymap.of([{ key: 'Shift-Enter', run: () => (handlers.current.onRun(), true) }])),
          basicSetup,
          javascript({ typescript: true }),
          theme,
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) handlers.current.onChange(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // The editor is made once; later value changes arrive through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A value set from outside (an import, a reset) replaces the document.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  return <div className="editor" ref={host} />;
}
