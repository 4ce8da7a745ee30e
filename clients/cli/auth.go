package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	hotdesk "github.com/hotdesk/hotdesk/clients/go"
	pb "github.com/hotdesk/hotdesk/gen/go/hotdesk/v1"
)

func loginCommand() *command {
	var username, password string
	var passwordStdin bool
	return &command{
		name: "login", summary: "save a server and credential for later commands", nargs: [2]int{0, 0}, noClient: true,
		help: `Checks a credential against the server and saves both in the config file (mode 0600), so later
commands need neither flags nor variables.

With an API key (or HOTDESK_API_KEY):
  hotdesk login --server http://127.0.0.1:8080 --api-key hdk_...
With a user name; the password is read from standard input (or --password), and the login token
(valid 12 h by default) is saved:
  echo "$PASSWORD" | hotdesk login --server http://127.0.0.1:8080 --username admin --password-stdin`,
		flags: func(fs *flag.FlagSet, c *call) {
			fs.StringVar(&username, "username", "", "log in with this user name and a password")
			fs.StringVar(&password, "password", "", "the password (prefer --password-stdin: flags show in process lists)")
			fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input")
		},
		run: func(c *call) error {
			server, apiKey, token, useTLS, err := c.resolve()
			if err != nil {
				return err
			}
			cfg := &config{Server: server, TLS: useTLS}
			if username != "" {
				if password == "" || passwordStdin {
					line, err := bufio.NewReader(c.io.in).ReadString('\n')
					if err != nil && line == "" {
						return usagef("no password on standard input")
					}
					password = strings.TrimRight(line, "\r\n")
				}
				c.apiKey, c.token, c.server = "", "", server
				if err := c.connectWith("", ""); err != nil {
					return err
				}
				defer c.client.Close()
				ctx, cancel := c.rpcCtx()
				defer cancel()
				resp, err := c.client.Auth.Login(ctx, username, password)
				if err != nil {
					return err
				}
				cfg.Token, cfg.Username = resp.GetToken(), resp.GetUser().GetUsername()
				return c.finishLogin(cfg, resp.GetUser())
			}
			if apiKey == "" && token == "" {
				return usagef("give --api-key, --token or --username (or set HOTDESK_API_KEY)")
			}
			if err := c.connectWith(apiKey, token); err != nil {
				return err
			}
			defer c.client.Close()
			ctx, cancel := c.rpcCtx()
			defer cancel()
			me, err := c.client.Auth.Me(ctx)
			if err != nil {
				return err
			}
			cfg.APIKey, cfg.Token, cfg.Username = apiKey, token, me.GetUsername()
			if apiKey != "" {
				cfg.Token = ""
			}
			return c.finishLogin(cfg, me)
		},
	}
}

func (c *call) finishLogin(cfg *config, me *pb.User) error {
	path, err := c.saveConfig(cfg)
	if err != nil {
		return err
	}
	if c.output != "table" {
		return c.emit(me)
	}
	_, err = fmt.Fprintf(c.io.out, "Logged in to %s as %s (%s); saved to %s\n", cfg.Server, me.GetUsername(), enumCol(me.GetRole()), path)
	return err
}

// connectWith dials the resolved server with exactly this credential.
func (c *call) connectWith(apiKey, token string) error {
	server, _, _, useTLS, err := c.resolve()
	if err != nil {
		return err
	}
	opts := []hotdesk.Option{hotdesk.WithUserAgent("hotdesk-cli")}
	if apiKey != "" {
		opts = append(opts, hotdesk.WithAPIKey(apiKey))
	} else if token != "" {
		opts = append(opts, hotdesk.WithToken(token))
	}
	if useTLS {
		opts = append(opts, hotdesk.WithTLS(nil))
	}
	if c.insecure {
		opts = append(opts, hotdesk.WithInsecure())
	}
	c.client, err = hotdesk.Dial(c.ctx, server, opts...)
	return err
}

func logoutCommand() *command {
	return &command{
		name: "logout", summary: "revoke the saved login token and forget the credential", nargs: [2]int{0, 0}, noClient: true,
		help: "Revokes the saved login token (an API key stays valid: delete it with 'hotdesk api-keys delete') and removes the credential from the config file.",
		run: func(c *call) error {
			cfg, err := c.loadConfig()
			if err != nil {
				return err
			}
			if cfg.Server == "" || (cfg.Token == "" && cfg.APIKey == "") {
				return errors.New("not logged in")
			}
			if cfg.Token != "" {
				c.server = cfg.Server
				if err := c.connectWith("", cfg.Token); err != nil {
					return err
				}
				defer c.client.Close()
				ctx, cancel := c.rpcCtx()
				defer cancel()
				if err := c.client.Auth.Logout(ctx); err != nil && !hotdesk.IsUnauthenticated(err) {
					return err
				}
			}
			cfg.Token, cfg.APIKey = "", ""
			if _, err := c.saveConfig(cfg); err != nil {
				return err
			}
			return c.done("Logged out of "+cfg.Server, cfg.Server)
		},
	}
}

func whoamiCommand() *command {
	return &command{
		name: "whoami", summary: "show the user the credential belongs to", nargs: [2]int{0, 0},
		help: "Shows the user the current credential belongs to, and which server answered.",
		run: func(c *call) error {
			ctx, cancel := c.rpcCtx()
			defer cancel()
			me, err := c.client.Auth.Me(ctx)
			if err != nil {
				return err
			}
			return c.emit(me)
		},
	}
}

func changePasswordCommand() *command {
	var currentFile, newFile string
	return &command{
		name: "change-password", aliases: []string{"passwd"}, summary: "change your own password", nargs: [2]int{0, 0},
		help: `Changes the password of the signed-in user and signs out their other sign-ins (this one keeps
working; API keys are kept). Needs a login token ('hotdesk login --username ...', --token or
HOTDESK_TOKEN): an API key cannot change a password.

The passwords never go on the command line. Each comes from its file, or else from the next
line of standard input: the current password first, then the new one (8 to 1024 characters).
  printf '%s\n%s\n' "$OLD" "$NEW" | hotdesk change-password
  hotdesk change-password --current-password-file ~/.old --new-password-file ~/.new`,
		flags: func(fs *flag.FlagSet, c *call) {
			fs.StringVar(&currentFile, "current-password-file", "", "read the current password from this file (default: the first line of standard input)")
			fs.StringVar(&newFile, "new-password-file", "", "read the new password from this file (default: the next line of standard input)")
		},
		run: func(c *call) error {
			in := bufio.NewReader(c.io.in)
			current, err := readSecret(in, currentFile, "current password")
			if err != nil {
				return err
			}
			next, err := readSecret(in, newFile, "new password")
			if err != nil {
				return err
			}
			ctx, cancel := c.rpcCtx()
			defer cancel()
			resp, err := c.client.Auth.ChangePassword(ctx, current, next)
			if err != nil {
				return err
			}
			if c.output != "table" {
				return c.emit(resp)
			}
			_, err = fmt.Fprintf(c.io.out, "Password changed; %d other sign-in(s) signed out.\n", resp.GetRevokedLoginCount())
			return err
		},
	}
}

// readSecret reads a password from path, or else from the next line of in, without the line
// ending.
func readSecret(in *bufio.Reader, path, what string) (string, error) {
	var line string
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", usagef("%s: %v", what, err)
		}
		line = string(b)
	} else {
		var err error
		line, err = in.ReadString('\n')
		if err != nil && line == "" {
			return "", usagef("no %s on standard input (or give its file)", what)
		}
	}
	return strings.TrimRight(line, "\r\n"), nil
}
