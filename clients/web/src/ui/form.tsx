// Forms: values in state keyed by field path, errors from the client-side check and from the
// server, drafts kept across an expired login, and labelled inputs wired to all of it.
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { messageOf } from "../api";
import { registerDraft, takeDraft } from "../drafts";
import { serverErrors } from "../validate";
import type { FieldErrors } from "../validate";

export type FormValues = Record<string, string | boolean | string[]>;

export interface Form<V extends FormValues> {
  values: V;
  errors: FieldErrors;
  /** The form-wide error (the server's message when it names no field). */
  error: string;
  busy: boolean;
  set<K extends keyof V>(name: K, value: V[K]): void;
  /** Replaces every value (e.g. when the edited resource has loaded), keeping a saved draft on top. */
  reset(values: V): void;
  setErrors(errs: FieldErrors): void;
  /**
   * Runs submit unless check() finds errors; the server's refusal is shown next to the
   * fields it names, or above the buttons. Resolves true when submit succeeded.
   */
  submit(check: () => FieldErrors, submit: () => Promise<void>, strip?: string): Promise<boolean>;
}

/** A form whose values survive an expired login under key (unique on the page). */
export function useForm<V extends FormValues>(key: string, initial: V): Form<V> {
  // A draft saved when the login expired is taken once, at mount; it stays pending until the
  // user changes or submits something, so a reset() to freshly loaded values right after mount
  // (e.g. the resource arriving) puts it back on top instead of losing it.
  const pending = useRef<Partial<V> | undefined>(undefined);
  // The fields the user changed since the last reset: only these go into a draft, so that a
  // draft never brings back stale copies of fields someone else changed meanwhile (which the
  // next save would then write over).
  const edited = useRef(new Set<string>());
  const [values, setValues] = useState<V>(() => {
    pending.current = takeDraft(key) as Partial<V> | undefined;
    edited.current = new Set(Object.keys(pending.current ?? {}));
    return { ...initial, ...pending.current };
  });
  const [errors, setErrs] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const ref = useRef(values);
  ref.current = values;
  useEffect(
    () => registerDraft(key, () => Object.fromEntries([...edited.current].map((k) => [k, ref.current[k]]))),
    [key],
  );

  const form: Form<V> = {
    values,
    errors,
    error: errors[""] ?? "",
    busy,
    set(name, value) {
      pending.current = undefined;
      edited.current.add(name as string);
      setValues((v) => ({ ...v, [name]: value }));
      if (errors[name as string]) setErrs((e) => ({ ...e, [name as string]: "" }));
    },
    reset(v) {
      setValues({ ...v, ...pending.current });
      edited.current = new Set(Object.keys(pending.current ?? {}));
      setErrs({});
    },
    setErrors: setErrs,
    async submit(check, submit, strip = "") {
      pending.current = undefined;
      // The form being submitted (its button or field has the focus): errors are looked for
      // there, not in another form of the page.
      const scope = document.activeElement?.closest("form") ?? document;
      const errs = check();
      if (Object.values(errs).some(Boolean)) {
        setErrs(errs);
        focusFirstError(scope);
        return false;
      }
      setErrs({});
      setBusy(true);
      try {
        await submit();
        return true;
      } catch (err) {
        const fields = serverErrors(err, strip);
        // The server's own words go above the buttons, and next to each field it names.
        setErrs({ ...fields, "": messageOf(err) });
        focusFirstError(scope);
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
  return form;
}

/** Whether two id lists hold the same ids (any order, any case): an update_mask helper. */
export function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a.map((x) => x.toLowerCase()));
  return b.every((x) => s.has(x.toLowerCase()));
}

function focusFirstError(scope: ParentNode): void {
  setTimeout(() => {
    const root = scope instanceof Node && !scope.isConnected ? document : scope;
    const el = root.querySelector<HTMLElement>('[aria-invalid="true"], .form-error');
    el?.focus();
  }, 0);
}

let seq = 0;
function useId(prefix: string): string {
  const r = useRef("");
  if (!r.current) r.current = `${prefix}-${++seq}`;
  return r.current;
}

interface FieldProps {
  label: string;
  error?: string;
  hint?: ComponentChildren;
  children: (attrs: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => ComponentChildren;
}

/** A label, the control (children gets the ids), a hint and the field's error. */
export function Field({ label, error, hint, children }: FieldProps) {
  const id = useId("f");
  const described = [hint ? `${id}-hint` : "", error ? `${id}-err` : ""].filter(Boolean).join(" ");
  return (
    <div class={"field" + (error ? " invalid" : "")}>
      <label for={id}>{label}</label>
      {children({ id, "aria-invalid": !!error, "aria-describedby": described || undefined })}
      {hint && (
        <div class="hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <div class="field-error" id={`${id}-err`} role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

type InputAttrs = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, "value" | "onInput" | "label" | "name" | "form">;

/** A text-like input bound to form value name (a string). */
export function TextField<V extends FormValues>(
  props: { form: Form<V>; name: keyof V & string; label: string; hint?: ComponentChildren; multiline?: boolean } & InputAttrs,
) {
  const { form, name, label, hint, multiline, ...rest } = props;
  const value = String(form.values[name] ?? "");
  return (
    <Field label={label} error={form.errors[name]} hint={hint}>
      {(a) =>
        multiline ? (
          <textarea
            {...(rest as object)}
            {...a}
            name={name}
            rows={4}
            value={value}
            onInput={(e) => form.set(name, (e.currentTarget as HTMLTextAreaElement).value as V[typeof name])}
          />
        ) : (
          <input
            type="text"
            {...(rest as object)}
            {...a}
            name={name}
            value={value}
            onInput={(e) => form.set(name, e.currentTarget.value as V[typeof name])}
          />
        )
      }
    </Field>
  );
}

/** A checkbox bound to form value name (a boolean). */
export function CheckField<V extends FormValues>(props: { form: Form<V>; name: keyof V & string; label: string; hint?: ComponentChildren }) {
  const { form, name, label, hint } = props;
  const id = useId("c");
  const err = form.errors[name];
  const described = [hint ? `${id}-hint` : "", err ? `${id}-err` : ""].filter(Boolean).join(" ");
  return (
    <div class={"field check" + (err ? " invalid" : "")}>
      <input
        type="checkbox"
        id={id}
        name={name}
        checked={!!form.values[name]}
        aria-invalid={!!err}
        aria-describedby={described || undefined}
        onChange={(e) => form.set(name, e.currentTarget.checked as V[typeof name])}
      />
      <label for={id}>{label}</label>
      {hint && (
        <div class="hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {err && (
        <div class="field-error" id={`${id}-err`} role="alert">
          {err}
        </div>
      )}
    </div>
  );
}

/** A select bound to form value name (a string); options are [value, label]. */
export function SelectField<V extends FormValues>(props: {
  form: Form<V>;
  name: keyof V & string;
  label: string;
  options: [string, string][];
  hint?: ComponentChildren;
}) {
  const { form, name, label, options, hint } = props;
  return (
    <Field label={label} error={form.errors[name]} hint={hint}>
      {(a) => (
        <select {...a} name={name} value={String(form.values[name] ?? "")} onChange={(e) => form.set(name, e.currentTarget.value as V[typeof name])}>
          {options.map(([v, l]) => (
            <option value={v} key={v}>
              {l}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** The form-wide error, next to the buttons. */
export function FormError({ error }: { error: string }) {
  if (!error) return null;
  return (
    <div class="form-error" role="alert" tabIndex={-1}>
      {error}
    </div>
  );
}

/** A submit button that shows the form is busy. */
export function Submit({ busy, children }: { busy: boolean; children: ComponentChildren }) {
  return (
    <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
      {busy ? "Working…" : children}
    </button>
  );
}
