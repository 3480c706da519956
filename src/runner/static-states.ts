// Reaches provider states on a target without a hook, as the contract's x-provider-states `static` forms say: config data, flags or request sequences.
import type { CaseVars } from "../cases/case-vars.js";
import { render } from "../cases/case-vars.js";
import type { Contract, ProviderStateSpec, StaticForm, StaticRequest } from "../contract/contract.js";
import { TransportError } from "../http/send.js";
import type { StateActions, StateOutcome, StateProvider } from "./states.js";
import type { StaticStateData, StaticStates } from "./target.js";

type Values = Record<string, string>;

/** States reached from data the user gave about a target that has no hook, by one interpreter of the contract's forms. */
export class StaticStateProvider implements StateProvider {
  readonly description = "static state data from the config";

  /**
   * @param states the config's `states`
   * @param concurrency cases run at once (a form may need one at a time)
   * @param profile the target's profile, whose x-profiles `states` hold unless the config says otherwise
   */
  constructor(
    private readonly states: StaticStates,
    private readonly concurrency: number = 1,
    private readonly profile?: string,
  ) {}

  async setup(
    name: string,
    _params: Record<string, string>,
    vars: CaseVars,
    actions: StateActions,
  ): Promise<StateOutcome> {
    return this.#reach(name, vars, actions);
  }

  async teardown(): Promise<void> {}

  async #reach(name: string, vars: CaseVars, actions: StateActions): Promise<StateOutcome> {
    const spec = actions.contract.providerStates.get(name);
    if (spec === undefined || (spec.static ?? []).length === 0) {
      return { kind: "unreachable", reason: `state ${name} has no static form` };
    }
    const form = this.#formFor(spec, actions.contract, new Set());
    if (form === undefined) {
      return {
        kind: "unreachable",
        reason: `state ${name} needs ${needs(spec)} in the config's states (or a --state-url hook)`,
      };
    }
    try {
      return await this.#run(spec, form, vars, actions);
    } catch (error) {
      const message = error instanceof TransportError ? error.message : (error as Error).message;
      return { kind: "error", reason: `reaching state ${name} failed: ${message}` };
    }
  }

  /** The first form of a state that the config, the profile and the concurrency allow. */
  #formFor(spec: ProviderStateSpec, contract: Contract, visiting: Set<string>): StaticForm | undefined {
    if (visiting.has(spec.name)) {
      return undefined;
    }
    const inner = new Set([...visiting, spec.name]);
    return (spec.static ?? []).find((form) => {
      if (form.flag !== undefined) {
        return this.#flag(spec.name, contract, form.flag);
      }
      if (form.given !== undefined && this.#givenSet(spec.name, form.given) === undefined) {
        return false;
      }
      if (form.concurrency !== undefined && this.concurrency > form.concurrency) {
        return false;
      }
      return (form.requests ?? []).every((step) => {
        if (!("state" in step)) {
          return true;
        }
        const required = contract.providerStates.get(step.state);
        return required !== undefined && this.#formFor(required, contract, inner) !== undefined;
      });
    });
  }

  #flag(name: string, contract: Contract, silent: boolean): boolean {
    const given = this.states[name];
    if (typeof given === "boolean") {
      return given;
    }
    const ofProfile = contract.profiles.find((profile) => profile.name === this.profile)?.states ?? [];
    return ofProfile.includes(name) || silent;
  }

  /** The config's data for a state, when it holds one of the sets of fields a form takes. */
  #givenSet(name: string, sets: string[][]): Record<string, string | number> | undefined {
    const data: StaticStateData | undefined = this.states[name];
    if (data === undefined || typeof data === "boolean") {
      return undefined;
    }
    return sets.some((set) => set.every((field) => data[field] !== undefined)) ? data : undefined;
  }

  async #run(spec: ProviderStateSpec, form: StaticForm, vars: CaseVars, actions: StateActions) {
    const data = form.given === undefined ? {} : (this.#givenSet(spec.name, form.given) ?? {});
    const config = Object.fromEntries(Object.entries(data).map(([key, value]) => [key, String(value)]));
    // Fields a request reads (a count, a header's name) are settings of the form; the others are the state's values.
    const settings = new Set(
      (form.requests ?? []).flatMap((step) =>
        "state" in step
          ? []
          : [
              ...(step.times === undefined ? [] : [step.times]),
              ...Object.values(step.read ?? {}).map(({ header }) => header),
            ],
      ),
    );
    const values: Values = Object.fromEntries(Object.entries(config).filter(([key]) => !settings.has(key)));
    let scope: CaseVars = { ...vars, ...config };
    for (const step of form.requests ?? []) {
      if ("state" in step) {
        // What the state before gives (a code) is for these requests, not an answer of this state.
        const before = await this.#reach(step.state, scope, actions);
        if (before.kind !== "ready") {
          return before;
        }
        scope = { ...scope, ...before.values };
        continue;
      }
      const outcome = await this.#send(spec, form, step, scope, config, actions);
      if (outcome.kind !== "ready") {
        return outcome;
      }
      Object.assign(values, outcome.values);
      scope = { ...scope, ...outcome.values };
    }
    return { kind: "ready", values } satisfies StateOutcome;
  }

  async #send(
    spec: ProviderStateSpec,
    form: StaticForm,
    step: StaticRequest,
    scope: CaseVars,
    config: Values,
    actions: StateActions,
  ): Promise<StateOutcome> {
    const times = step.times === undefined ? 1 : Number(config[step.times] ?? 1);
    const read: Values = {};
    for (let attempt = 1; attempt <= times; attempt++) {
      const answer = await actions.send(step.operation, render(step.body, scope));
      if (answer.status !== step.status) {
        const which = times > 1 ? ` ${attempt} of ${times}` : "";
        const why = form.purpose === undefined ? "" : ` (${form.purpose})`;
        return {
          kind: "error",
          reason: `${step.operation}${which}${why} to reach state ${spec.name} answered ${answer.status}, not ${step.status}`,
        };
      }
      for (const [variable, { header }] of Object.entries(step.read ?? {})) {
        const name = config[header];
        if (name === undefined) {
          continue;
        }
        const value = answer.headers[name.toLowerCase()];
        if (!value) {
          return {
            kind: "error",
            reason: `the ${answer.status} of ${step.operation} carried no ${name} header to read the ${variable} from`,
          };
        }
        read[variable] = value;
      }
    }
    return { kind: "ready", values: read };
  }
}

/** What the config must give for a state, from its forms: "number-registered.cc and .phone_number, or code-sent ...". */
export function needs(spec: ProviderStateSpec): string {
  const sets = (given: string[][]) =>
    given
      .map((set) => {
        const fields = set.map((field, index) => (index === 0 ? `${spec.name}.${field}` : `.${field}`));
        return fields.length > 1 ? `${fields.slice(0, -1).join(", ")} and ${fields.at(-1)}` : fields.join("");
      })
      .join(" or ");
  return (spec.static ?? [])
    .map((form) => {
      if (form.flag !== undefined) {
        return `${spec.name}: true`;
      }
      const before = (form.requests ?? []).flatMap((step) => ("state" in step ? [step.state] : []));
      const parts = [
        ...(form.given === undefined ? [] : [sets(form.given)]),
        ...(before.length > 0 ? [before.join(" and ")] : []),
      ];
      return [
        parts.join(" with "),
        form.purpose,
        form.concurrency === undefined ? undefined : `with concurrency ${form.concurrency}`,
      ]
        .filter((part) => part !== undefined && part !== "")
        .join(" ");
    })
    .join(", or ");
}
