package main

import (
	"context"
	"flag"
	"fmt"
	"iter"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	hotdesk "github.com/hotdesk/hotdesk/clients/go"
)

// resource describes a catalog-style resource whose five standard commands (list, get,
// create, update, delete) are all alike.
type resource[T proto.Message] struct {
	plural, singular string
	about            string // what the resource is, for the group's help
	fields           []field
	cols             []column
	createHelp       string
	updateHelp       string
	// defaults fills a new resource before the flags are applied (create only).
	defaults func(T)
	newMsg   func() T
	setID    func(T, string)
	list     func(ctx context.Context, h *hotdesk.Client, c *call) iter.Seq2[T, error]
	listArgs func(fs *flag.FlagSet, c *call)
	get      func(ctx context.Context, h *hotdesk.Client, id string) (T, error)
	create   func(ctx context.Context, h *hotdesk.Client, m T) (T, error)
	update   func(ctx context.Context, h *hotdesk.Client, m T, paths []string) (T, error)
	del      func(ctx context.Context, h *hotdesk.Client, id string) error
	// extra commands of the group, after the standard ones.
	extra []*command
}

func (r resource[T]) descriptor() protoreflect.MessageDescriptor {
	return r.newMsg().ProtoReflect().Descriptor()
}

func (r resource[T]) command() *command {
	g := &command{name: r.plural, summary: "manage " + strings.ReplaceAll(r.plural, "-", " "), help: r.about}
	if r.list != nil {
		g.subs = append(g.subs, r.listCommand())
	}
	if r.get != nil {
		g.subs = append(g.subs, r.getCommand())
	}
	if r.create != nil {
		g.subs = append(g.subs, r.createCommand())
	}
	if r.update != nil {
		g.subs = append(g.subs, r.updateCommand())
	}
	if r.del != nil {
		g.subs = append(g.subs, r.deleteCommand())
	}
	g.subs = append(g.subs, r.extra...)
	return g
}

func (r resource[T]) listCommand() *command {
	var limit int
	return &command{
		name: "list", aliases: []string{"ls"}, summary: "list " + r.plural,
		help:  fmt.Sprintf("Lists %s, following pages to the end (or --limit). Table by default; -o json for a JSON array.", r.plural),
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet, c *call) {
			fs.IntVar(&limit, "limit", 0, "stop after this many (0: all)")
			if r.listArgs != nil {
				r.listArgs(fs, c)
			}
		},
		run: func(c *call) error {
			ctx, cancel := c.rpcCtx()
			defer cancel()
			var out []proto.Message
			for m, err := range r.list(ctx, c.client, c) {
				if err != nil {
					return err
				}
				out = append(out, m)
				if limit > 0 && len(out) >= limit {
					break
				}
			}
			return c.emitList(out, r.cols)
		},
	}
}

func (r resource[T]) getCommand() *command {
	return &command{
		name: "get", summary: "show one " + r.singular, args: "ID",
		help:  fmt.Sprintf("Shows one %s: every field set, or -o json.", r.singular),
		nargs: [2]int{1, 1},
		run: func(c *call) error {
			ctx, cancel := c.rpcCtx()
			defer cancel()
			m, err := r.get(ctx, c.client, c.args[0])
			if err != nil {
				return err
			}
			return c.emit(m)
		},
	}
}

func (r resource[T]) createCommand() *command {
	var fv *fieldValues
	var file string
	return &command{
		name: "create", summary: "create " + a(r.singular),
		help:  r.createHelp + "\n\n--from-file takes the " + r.singular + " as JSON in the API's format (\"-\": standard input); flags override its fields.",
		nargs: [2]int{0, 0},
		flags: func(fs *flag.FlagSet, c *call) {
			fv = registerFields(fs, r.descriptor(), r.fields)
			fs.StringVar(&file, "from-file", "", "read the "+r.singular+" from a JSON file")
		},
		run: func(c *call) error {
			m := r.newMsg()
			if r.defaults != nil {
				r.defaults(m)
			}
			if file != "" {
				if err := c.readFileMessage(file, m); err != nil {
					return err
				}
			}
			if _, err := fv.apply(m); err != nil {
				return err
			}
			ctx, cancel := c.rpcCtx()
			defer cancel()
			got, err := r.create(ctx, c.client, m)
			if err != nil {
				return err
			}
			return c.emit(got)
		},
	}
}

func (r resource[T]) updateCommand() *command {
	var fv *fieldValues
	var file string
	return &command{
		name: "update", summary: "change fields of " + a(r.singular), args: "ID",
		help: r.updateHelp + "\n\nOnly the fields whose flags are given change (they make the update mask). With --from-file, " +
			"the fields present in the file change, then the flags'.",
		nargs: [2]int{1, 1},
		flags: func(fs *flag.FlagSet, c *call) {
			fv = registerFields(fs, r.descriptor(), r.fields)
			fs.StringVar(&file, "from-file", "", "read the new values from a JSON file")
		},
		run: func(c *call) error {
			m := r.newMsg()
			var paths []string
			if file != "" {
				if err := c.readFileMessage(file, m); err != nil {
					return err
				}
				paths = populatedPaths(m)
			}
			more, err := fv.apply(m)
			if err != nil {
				return err
			}
			paths = append(paths, more...)
			if len(paths) == 0 {
				return usagef("nothing to change: give at least one field flag (see --help)")
			}
			r.setID(m, c.args[0])
			ctx, cancel := c.rpcCtx()
			defer cancel()
			got, err := r.update(ctx, c.client, m, paths)
			if err != nil {
				return err
			}
			return c.emit(got)
		},
	}
}

func (r resource[T]) deleteCommand() *command {
	return &command{
		name: "delete", aliases: []string{"rm"}, summary: "delete " + a(r.singular), args: "ID",
		help:  "Deletes " + a(r.singular) + ".",
		nargs: [2]int{1, 1},
		run: func(c *call) error {
			ctx, cancel := c.rpcCtx()
			defer cancel()
			if err := r.del(ctx, c.client, c.args[0]); err != nil {
				return err
			}
			return c.done(fmt.Sprintf("deleted %s %s", r.singular, c.args[0]), c.args[0])
		},
	}
}

// done reports a change without a resource to show: a sentence, {} in JSON, or the id.
func (c *call) done(sentence, id string) error {
	switch {
	case c.output == "json":
		_, err := fmt.Fprintln(c.io.out, "{}")
		return err
	case c.output == "table":
		_, err := fmt.Fprintln(c.io.out, sentence)
		return err
	}
	_, err := fmt.Fprintln(c.io.out, id)
	return err
}

// a puts the indefinite article before a noun.
func a(noun string) string {
	if noun != "" && (strings.ContainsRune("aeiou", rune(noun[0])) || strings.HasPrefix(noun, "API")) {
		return "an " + noun
	}
	return "a " + noun
}
