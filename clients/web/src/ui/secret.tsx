// A one-time secret (an API key, an enrollment token): shown in a box with a Copy button, and
// selected for Ctrl+C where the page may not use the clipboard (plain http).
import { useEffect, useRef, useState } from "preact/hooks";

export function SecretBox({ value, what, testId }: { value: string; what: string; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [copied, setCopied] = useState("");
  useEffect(() => setCopied(""), [value]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("Copied.");
    } catch {
      const sel = getSelection();
      if (box.current && sel) {
        const r = document.createRange();
        r.selectNodeContents(box.current);
        sel.removeAllRanges();
        sel.addRange(r);
      }
      setCopied(`Could not copy: the ${what} is selected, copy it with Ctrl+C (⌘C).`);
    }
  };
  return (
    <>
      <div class="secret-row">
        <div class="secret" data-testid={testId} ref={box}>
          {value}
        </div>
        <button type="button" class="primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p role="status" class="hint">
        {copied}
      </p>
    </>
  );
}
