// Signing in. After an expired login the page says so and returns to where the user was, whose
// typed values were kept (drafts).
import { useEffect } from "preact/hooks";
import { UserSchema } from "@hotdesk/client";
import { signIn } from "../api";
import { navigate, safeNext } from "../router";
import { CheckField, FormError, Submit, TextField, useForm } from "../ui/form";
import { check } from "../validate";

const LAST_USER = "hotdesk.username";

export function LoginPage({ query }: { query: URLSearchParams }) {
  const expired = query.get("expired") === "1";
  const next = query.get("next");
  const form = useForm("login", { username: localStorage.getItem(LAST_USER) ?? "", password: "", remember: false as boolean });
  useEffect(() => {
    document.title = "Sign in · Hotdesk";
  }, []);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const { username, password, remember } = form.values;
    await form.submit(
      () => {
        const errs = check(UserSchema, { username: username.trim() });
        if (!username.trim()) errs.username = "Enter your user name.";
        if (!password) errs.password = "Enter your password.";
        return errs;
      },
      async () => {
        await signIn(username.trim(), password, remember);
        localStorage.setItem(LAST_USER, username.trim());
        navigate(safeNext(next), { replace: true });
      },
    );
  };

  return (
    <main id="main" class="login">
      <form class="card" onSubmit={onSubmit} noValidate aria-labelledby="page-title">
        <h1 id="page-title">Sign in to Hotdesk</h1>
        {expired && (
          <p class="notice" role="status">
            Your sign-in has expired. Sign in again to go back to where you were; what you typed there is kept.
          </p>
        )}
        <TextField form={form} name="username" label="User name" autoComplete="username" autoFocus />
        <TextField form={form} name="password" label="Password" type="password" autoComplete="current-password" />
        <CheckField form={form} name="remember" label="Keep me signed in on this device" />
        <FormError error={form.error} />
        <Submit busy={form.busy}>Sign in</Submit>
      </form>
    </main>
  );
}
