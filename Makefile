# OpenSandbox controller: build, test, run and deploy. `make help` lists every target.

BUILD_DIR ?= build
BUILD_TYPE ?= Debug
IMG ?= opensandbox-controller:dev
TASK_EXECUTOR_IMG ?= opensandbox-task-executor:dev
CONTAINER_TOOL ?= docker
KUBECTL ?= kubectl
DATA_DIR ?= $(HOME)/.opensandbox
BIN := $(BUILD_DIR)/bin

.DEFAULT_GOAL := help

##@ General

.PHONY: help
help: ## Show every target with a line each.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-28s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: setup
setup: ## Install the build and test dependencies from Debian's repositories (idempotent).
	hack/setup.sh

.PHONY: configure
configure: setup
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

.PHONY: build
build: configure ## Build every binary, library and test.
	cmake --build $(BUILD_DIR)

.PHONY: test
test: ## Install what is needed, build, and run the whole test suite (unit, integration, end-to-end).
	BUILD_DIR=$(BUILD_DIR) BUILD_TYPE=$(BUILD_TYPE) hack/test.sh

.PHONY: test-asan
test-asan: ## Run the test suite under AddressSanitizer and UndefinedBehaviorSanitizer.
	BUILD_DIR=build-asan CMAKE_ARGS=-DOSBX_SANITIZE=ON hack/test.sh

.PHONY: build-release
build-release: setup ## Optimised build in build-release/.
	cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build build-release

.PHONY: bench
bench: build-release ## Run the benchmarks under bench/ and write their reports to bench/reports/.
	bench/run.sh build-release

.PHONY: manifests
manifests: configure ## Regenerate the CRD manifests in config/crd/bases from api/v1alpha1/schema.yaml.
	cmake --build $(BUILD_DIR) --target crdgen
	$(BIN)/crdgen --schema api/v1alpha1/schema.yaml --out config/crd/bases

.PHONY: fmt
fmt: ## Format all C++ sources in place with clang-format.
	git ls-files '*.h' '*.cc' | xargs clang-format -i

.PHONY: fmt-check
fmt-check: ## Fail if any C++ source is not clang-format clean.
	git ls-files '*.h' '*.cc' | xargs clang-format --dry-run --Werror

.PHONY: lint
lint: configure ## Run clang-tidy over the project's sources.
	git ls-files '*.cc' | grep -v '^bench/' | xargs clang-tidy -p $(BUILD_DIR) --quiet

##@ Run

.PHONY: run
run: ## Build and start standalone mode (API server + simulated node + controllers); ARGS=... adds flags.
	hack/run.sh $(ARGS)

.PHONY: run-cluster
run-cluster: build ## Run the controller against the cluster of the current kubeconfig.
	$(BIN)/opensandbox-controller $(ARGS)


##@ Images

.PHONY: docker-build
docker-build: ## Build the controller image (IMG=...).
	$(CONTAINER_TOOL) build -f images/controller.Dockerfile -t $(IMG) .

.PHONY: docker-push
docker-push: ## Push the image named by IMG.
	$(CONTAINER_TOOL) push $(IMG)

.PHONY: docker-build-task-executor
docker-build-task-executor: ## Build the task-executor image (IMG=...).
	$(CONTAINER_TOOL) build -f images/task-executor.Dockerfile -t $(IMG) .

.PHONY: docker-push-task-executor
docker-push-task-executor: ## Push the task-executor image named by IMG.
	$(CONTAINER_TOOL) push $(IMG)

##@ Deployment

.PHONY: install
install: ## Install the CRDs into the cluster of the current kubeconfig.
	$(KUBECTL) apply -k config/crd

.PHONY: uninstall
uninstall: ## Remove the CRDs (and with them every BatchSandbox and Pool) from the cluster.
	$(KUBECTL) delete --ignore-not-found -k config/crd

.PHONY: deploy
deploy: ## Deploy CRDs, RBAC and the manager (IMG=..., TASK_EXECUTOR_IMG=...).
	hack/deploy.sh "$(IMG)" "$(TASK_EXECUTOR_IMG)" | $(KUBECTL) apply -f -

.PHONY: undeploy
undeploy: ## Remove everything `make deploy` installed.
	hack/deploy.sh "$(IMG)" "$(TASK_EXECUTOR_IMG)" | $(KUBECTL) delete --ignore-not-found -f -

.PHONY: build-installer
build-installer: ## Render the full install manifest to dist/install.yaml.
	mkdir -p dist
	hack/deploy.sh "$(IMG)" "$(TASK_EXECUTOR_IMG)" > dist/install.yaml
