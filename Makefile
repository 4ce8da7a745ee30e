# Hotdesk build. `make run` brings the platform up locally; `make test` runs the whole suite.
# Every tool is pinned here and installed into ./.tools (git-ignored).
SHELL := /bin/bash
.DEFAULT_GOAL := help

TOOLS      := $(CURDIR)/.tools
TOOLBIN    := $(TOOLS)/bin
PROTODEPS  := $(CURDIR)/.protodeps
export PATH := $(TOOLBIN):$(TOOLS)/node_modules/.bin:$(PATH)
export GOBIN := $(TOOLBIN)

BUF_VERSION              := v1.75.0
PROTOC_GEN_GO_VERSION    := v1.36.12
PROTOC_GEN_GO_GRPC_VER   := v1.6.2
GRPC_GATEWAY_VERSION     := v2.33.0
GRPCURL_VERSION          := v1.9.4
# Third-party protos are copied out of these pinned Go modules (no schema registry is reachable).
GOOGLEAPIS_MODULE        := github.com/grpc-ecosystem/grpc-gateway/v2@v2.2.0
PROTOVALIDATE_MODULE     := github.com/bufbuild/protovalidate@v1.2.2
PROTOC_GEN_ES_VERSION    := 2.17.0
GRPCIO_TOOLS_VERSION     := 1.78.0

.PHONY: help
help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

# ---------------------------------------------------------------- tools
$(TOOLBIN)/.stamp-$(BUF_VERSION)-$(GRPC_GATEWAY_VERSION)-$(PROTOC_GEN_GO_VERSION)-$(GRPCURL_VERSION):
	mkdir -p $(TOOLBIN)
	go install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)
	go install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
	go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VER)
	go install github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-grpc-gateway@$(GRPC_GATEWAY_VERSION)
	go install github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-openapiv2@$(GRPC_GATEWAY_VERSION)
	go install github.com/fullstorydev/grpcurl/cmd/grpcurl@$(GRPCURL_VERSION)
	touch $@

$(TOOLS)/.stamp-es-$(PROTOC_GEN_ES_VERSION):
	mkdir -p $(TOOLS)
	cd $(TOOLS) && [ -f package.json ] || echo '{"private":true}' > $(TOOLS)/package.json
	cd $(TOOLS) && npm install --no-audit --no-fund --silent @bufbuild/protoc-gen-es@$(PROTOC_GEN_ES_VERSION)
	touch $@

$(TOOLS)/.stamp-py-$(GRPCIO_TOOLS_VERSION):
	python3 -m venv $(TOOLS)/venv
	$(TOOLS)/venv/bin/pip install -q grpcio-tools==$(GRPCIO_TOOLS_VERSION)
	touch $@

.PHONY: tools
tools: $(TOOLBIN)/.stamp-$(BUF_VERSION)-$(GRPC_GATEWAY_VERSION)-$(PROTOC_GEN_GO_VERSION)-$(GRPCURL_VERSION) $(TOOLS)/.stamp-es-$(PROTOC_GEN_ES_VERSION) $(TOOLS)/.stamp-py-$(GRPCIO_TOOLS_VERSION) ## install pinned code generators and CLIs into ./.tools

.PHONY: protodeps
protodeps: ## copy google/api and buf/validate protos out of pinned Go modules into ./.protodeps
	@mkdir -p $(PROTODEPS)/google/api $(PROTODEPS)/buf/validate
	@gapi=$$(go mod download -json $(GOOGLEAPIS_MODULE) | sed -n 's/.*"Dir": "\(.*\)",/\1/p'); \
	 pv=$$(go mod download -json $(PROTOVALIDATE_MODULE) | sed -n 's/.*"Dir": "\(.*\)",/\1/p'); \
	 install -m 0644 $$gapi/third_party/googleapis/google/api/{annotations,http,field_behavior}.proto $(PROTODEPS)/google/api/ && \
	 install -m 0644 $$pv/proto/protovalidate/buf/validate/validate.proto $(PROTODEPS)/buf/validate/

# ---------------------------------------------------------------- contracts
.PHONY: lint
lint: tools protodeps ## buf lint
	buf lint

.PHONY: gen
gen: tools protodeps ## regenerate gen/ (Go, gateway, OpenAPI, Python, TypeScript) from proto/
	rm -rf gen/go gen/openapi gen/ts gen/python
	buf generate
	buf build -o $(TOOLS)/image.binpb
	mkdir -p gen/python
	cd proto && $(TOOLS)/venv/bin/python -m grpc_tools.protoc --descriptor_set_in=$(TOOLS)/image.binpb \
	  --python_out=../gen/python --pyi_out=../gen/python --grpc_python_out=../gen/python \
	  $$(find hotdesk -name '*.proto' | sort)
	find gen/python/hotdesk -type d -exec touch {}/__init__.py \;

.PHONY: gen-check
gen-check: gen ## fail when gen/ differs from what proto/ generates
	@git add -N gen >/dev/null 2>&1 || true
	@if ! git diff --quiet -- gen; then echo "gen/ is stale: run 'make gen' and commit"; git diff --stat -- gen; exit 1; fi

.PHONY: breaking
breaking: tools protodeps ## buf breaking against the previous commit's contracts
	./scripts/buf-breaking.sh

# ---------------------------------------------------------------- build, run, test
.PHONY: build
build: ## build server, agentd, connproxy and the CLI into ./bin
	go build -o bin/ ./server ./agentd ./connproxy

.PHONY: run
run: build ## start the platform locally (private Postgres in ./.hotdesk unless HOTDESK_DATABASE_URL is set)
	./scripts/run-local.sh

.PHONY: deps
deps: ## install system packages the tests need (Postgres server binaries)
	./scripts/install-deps.sh

.PHONY: test
test: deps tools protodeps ## the whole suite: contracts, generated-code freshness, vet, Go tests
	$(MAKE) lint breaking gen-check
	go vet ./...
	go test -count=1 -timeout 40m ./...

.PHONY: bench
bench: build ## benchmarks (print ratios against baselines measured in the same run)
	go test -run '^$$' -bench . -benchtime 3s ./server/internal/bench/...
