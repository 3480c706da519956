// The model of the contract explore judges by: a pure state machine of what the ledger fixes, predicting each step's answer.
import type { ProfileName } from "../contract/contract.js";

/** The number states a sequence starts from (x-provider-states of scope number). */
export const NUMBER_STATES = [
  "number-unregistered",
  "number-registered",
  "two-step-enabled",
  "code-sent",
  "sms-attempts-exhausted",
] as const;
export type NumberStateName = (typeof NUMBER_STATES)[number];

/** What the model knows of one number the sequence uses. */
export interface SlotState {
  registered: boolean;
  /** The two-step PIN, when two-step verification is on for this number. */
  pin: string | undefined;
  /** Where the PIN (or its removal) came from: the settings endpoint makes the *-takes-effect requirements apply. */
  pinBy: "state" | "settings" | undefined;
  /** Two-step was switched off through the settings endpoint since the number was registered. */
  pinCleared: boolean;
  /** Registered by a verify of this sequence (verified-number-answers-201 then applies). */
  verified: boolean;
  /** A registration is pending (a code was requested and not yet used). */
  pending: boolean;
  /**
   * The pending code the kit knows (from the code-sent state). `certain` turns false once another request for
   * the number was accepted: the contract does not say whether a second request keeps the code or makes a new one.
   */
  code: { value: string; certain: boolean } | undefined;
  /** SMS requests counted for the number: a count, unknown, or past the limit (after sms-attempts-exhausted). */
  sms: number | "unknown" | "exhausted";
}

export interface ModelState {
  profile: ProfileName;
  slots: SlotState[];
  /** The client's account: the slot the two-step settings act on, when the model knows it. */
  account: number | undefined;
  /** Codes spent by a successful verify: they match no pending registration any more. */
  spent: string[];
  /** What the answers so far say of the target's SMS limit L: atLeast <= L < below. */
  smsLimit: { atLeast: number; below: number };
}

/** A status the answer must have: exact, one of several, or a class. */
export type StatusRule = number | "2xx" | "4xx" | (number | "4xx")[];

/** One fact of an answer a requirement fixes; its level is the requirement's, read from the ledger by the oracle. */
export interface Fact {
  requirement: string;
  status?: StatusRule;
  /** errors[0].code must be one of these. */
  errorCodes?: number[];
  /** account[0].vname must equal this, code point for code point. */
  vname?: string;
  /** users[0].token must be a non-empty string. */
  token?: true;
}

/** One answer the contract allows for a step: the facts it must show, and the model's state after it. */
export interface Branch {
  label: string;
  facts: Fact[];
  next: ModelState;
}

export type PinChoice = "none" | "right" | "wrong";

export interface RequestCodeInput {
  slot: number;
  /** The method as sent; "sms" counts against the SMS limit. */
  method: string;
  pin: PinChoice;
  /** The verified name of the cert sent. */
  vname: string;
}

const freshSlot = (): SlotState => ({
  registered: false,
  pin: undefined,
  pinBy: undefined,
  pinCleared: false,
  verified: false,
  pending: false,
  code: undefined,
  sms: 0,
});

/** The state before any step: every number fresh, the SMS limit unknown unless the user gave it. */
export function initialState(profile: ProfileName, slotCount: number, smsLimit?: number): ModelState {
  return {
    profile,
    slots: Array.from({ length: slotCount }, freshSlot),
    account: undefined,
    spent: [],
    smsLimit:
      smsLimit === undefined
        ? { atLeast: 0, below: Number.POSITIVE_INFINITY }
        : { atLeast: smsLimit, below: smsLimit + 1 },
  };
}

function withSlot(state: ModelState, slot: number, change: Partial<SlotState>): ModelState {
  const slots = state.slots.map((current, index) => (index === slot ? { ...current, ...change } : current));
  return { ...state, slots };
}

/**
 * A number put into a provider state. `code` is the state's answer for code-sent. The number states of the
 * contract start from a clean number; number-registered and two-step-enabled make it the client's account.
 */
export function applyNumberState(
  state: ModelState,
  slot: number,
  name: NumberStateName,
  values: { pin?: string; code?: string },
): ModelState {
  const fresh = withSlot(state, slot, freshSlot());
  const cleared = fresh.account === slot ? { ...fresh, account: undefined } : fresh;
  switch (name) {
    case "number-unregistered":
      return cleared;
    case "number-registered":
      return { ...withSlot(cleared, slot, { registered: true }), account: slot };
    case "two-step-enabled":
      return {
        ...withSlot(cleared, slot, { registered: true, pin: values.pin, pinBy: "state" }),
        account: slot,
      };
    case "code-sent":
      // How the state was reached (which method, how many SMS) is the target's business: the count is unknown.
      return withSlot(cleared, slot, {
        pending: true,
        code: values.code === undefined ? undefined : { value: values.code, certain: true },
        sms: "unknown",
      });
    case "sms-attempts-exhausted":
      return withSlot(cleared, slot, { sms: "exhausted" });
  }
}

/** The sunset block: every valid registration request is refused with 1005. */
const SUNSET_BLOCK: Fact[] = [
  { requirement: "sunset-blocks-registration-with-1005", status: "4xx", errorCodes: [1005] },
  { requirement: "sunset-block-answers-403-with-exact-details", status: 403 },
];

/** The SMS limit denies: 4xx with 1005 (and 403). */
const SMS_DENIED: Fact[] = [
  { requirement: "sms-limit-denied-with-1005", status: "4xx", errorCodes: [1005] },
  { requirement: "sms-limit-answers-403", status: 403 },
];

/** Which answers to an sms request the model allows for a number not registered, and what each teaches. */
function smsBranches(state: ModelState, input: RequestCodeInput, accepted: Fact[]): Branch[] {
  const slot = state.slots[input.slot] as SlotState;
  const { atLeast, below } = state.smsLimit;
  const pending = afterAccepted(slot);
  if (slot.sms === "exhausted") {
    return [{ label: "sms past the limit", facts: SMS_DENIED, next: state }];
  }
  if (slot.sms === "unknown") {
    return [
      { label: "sms accepted", facts: accepted, next: withSlot(state, input.slot, pending) },
      {
        label: "sms past the limit",
        facts: SMS_DENIED,
        next: withSlot(state, input.slot, { sms: "exhausted" }),
      },
    ];
  }
  const attempt = slot.sms + 1;
  const accept: Branch = {
    label: `sms ${attempt} accepted`,
    facts: accepted,
    next: {
      ...withSlot(state, input.slot, { ...pending, sms: attempt }),
      smsLimit: { atLeast: Math.max(atLeast, attempt), below },
    },
  };
  const deny: Branch = {
    label: `sms ${attempt} past the limit`,
    facts: SMS_DENIED,
    next: { ...state, smsLimit: { atLeast, below: Math.min(below, attempt) } },
  };
  if (attempt <= atLeast) {
    return [accept];
  }
  if (attempt >= below) {
    return [deny];
  }
  return [accept, deny];
}

/** A number whose code request was accepted: pending, and a code known before may have been replaced. */
function afterAccepted(slot: SlotState): Partial<SlotState> {
  return { pending: true, code: slot.code === undefined ? undefined : { ...slot.code, certain: false } };
}

/** Whether the number may already be past the SMS limit (its count may have reached L). */
function pastLimitPossible(state: ModelState, slot: SlotState): boolean {
  return slot.sms === "exhausted" || slot.sms === "unknown" || slot.sms >= state.smsLimit.atLeast;
}

/** Whether an sms request could be past the limit for this number. */
function maybePastLimit(state: ModelState, slot: SlotState): boolean {
  if (slot.sms === "exhausted" || slot.sms === "unknown") {
    return true;
  }
  return slot.sms + 1 > state.smsLimit.atLeast;
}

/** POST /v1/account: which answers the contract allows. The caller sends a pin only to a number with two-step on. */
export function predictRequestCode(state: ModelState, input: RequestCodeInput): Branch[] {
  if (state.profile === "sunset") {
    return [{ label: "sunset block", facts: SUNSET_BLOCK, next: state }];
  }
  const slot = state.slots[input.slot] as SlotState;
  const sms = input.method === "sms";
  if (slot.pin !== undefined) {
    if (input.pin === "none") {
      const facts: Fact[] = [
        { requirement: "two-step-missing-pin-rejected", status: "4xx" },
        { requirement: "two-step-missing-pin-answers-400-1008", status: 400, errorCodes: [1008] },
      ];
      if (slot.pinBy === "settings") {
        facts.unshift({ requirement: "two-step-enable-takes-effect", status: "4xx" });
      }
      return [{ label: "two-step pin missing", facts, next: state }];
    }
    if (input.pin === "wrong") {
      return [
        {
          label: "two-step pin wrong",
          facts: [
            { requirement: "two-step-wrong-pin-rejected", status: "4xx" },
            { requirement: "two-step-wrong-pin-answers-403-1005", status: 403, errorCodes: [1005] },
          ],
          next: state,
        },
      ];
    }
  }
  if (slot.registered) {
    const facts: Fact[] = [{ requirement: "register-registered-number-answers-201", status: 201 }];
    if (slot.pin !== undefined) {
      facts.unshift({ requirement: "two-step-right-pin-registers", status: [201, 202] });
      if (slot.pinBy === "settings") {
        facts.unshift({ requirement: "two-step-enable-takes-effect", status: "2xx" });
      }
    } else if (slot.pinCleared) {
      facts.unshift({ requirement: "two-step-disable-takes-effect", status: "2xx" });
    }
    if (slot.verified) {
      facts.unshift({ requirement: "verified-number-answers-201", status: 201 });
    }
    const registered: Branch = { label: "registered number", facts, next: state };
    // Past the SMS limit, a registered number meets two MUSTs that disagree; the contract ranks neither first.
    return sms && maybePastLimit(state, slot)
      ? [registered, { ...registered, label: "sms past the limit", facts: SMS_DENIED }]
      : [registered];
  }
  const accepted: Fact[] = [
    { requirement: "register-new-number-answers-202-with-vname", status: 202, vname: input.vname },
  ];
  if (sms) {
    return smsBranches(state, input, accepted);
  }
  const voice: Branch = {
    label: "voice accepted",
    facts: accepted,
    next: withSlot(state, input.slot, afterAccepted(slot)),
  };
  if (pastLimitPossible(state, slot)) {
    // Voice past the SMS limit: the SHOULD says 202, so a refusal breaks only that SHOULD.
    const refused: Branch = {
      label: "voice refused past the sms limit",
      facts: [...SMS_DENIED, { requirement: "voice-after-sms-limit-answers-202", status: 202 }],
      next: state,
    };
    return [voice, refused];
  }
  return [voice];
}

/** POST /v1/account/verify with `code`. */
export function predictVerify(state: ModelState, code: string): Branch[] {
  if (state.profile === "sunset") {
    return [
      {
        label: "sunset verify",
        facts: [
          { requirement: "sunset-verify-refused", status: "4xx" },
          { requirement: "sunset-verify-answers-403-1005", status: 403, errorCodes: [1005] },
        ],
        next: state,
      },
    ];
  }
  const wrong: Branch = {
    label: "code matches nothing pending",
    facts: [
      { requirement: "verify-wrong-code-rejected", status: "4xx" },
      { requirement: "verify-wrong-code-answers-400-1009", status: 400, errorCodes: [1009] },
    ],
    next: state,
  };
  const owner = state.slots.findIndex((slot) => slot.pending && slot.code?.value === code);
  if (owner < 0) {
    return [wrong];
  }
  const slot = state.slots[owner] as SlotState;
  const registered: ModelState = {
    ...withSlot(state, owner, { registered: true, verified: true, pending: false, code: undefined }),
    // The verified number is the one the client now holds, so the two-step settings act on it.
    account: owner,
    spent: [...state.spent, code],
  };
  const right: Branch = {
    label: "right code",
    facts: [{ requirement: "verify-right-code-answers-201", status: 201 }],
    next: registered,
  };
  if (slot.code?.certain) {
    return [right];
  }
  // A later request may have replaced the code: both answers are allowed, and a refusal kills the code.
  return [right, { ...wrong, label: "code replaced", next: withSlot(state, owner, { code: undefined }) }];
}

/** POST /v1/settings/account/two-step: only generated when the model knows the client's account. */
export function predictEnableTwoStep(state: ModelState, pin: string): Branch[] {
  const account = state.account;
  const next =
    account === undefined ? state : withSlot(state, account, { pin, pinBy: "settings", pinCleared: false });
  return [
    { label: "two-step enabled", facts: [{ requirement: "two-step-enable-answers-200", status: 200 }], next },
  ];
}

/** DELETE /v1/settings/account/two-step. */
export function predictDisableTwoStep(state: ModelState): Branch[] {
  const account = state.account;
  const next =
    account === undefined
      ? state
      : withSlot(state, account, { pin: undefined, pinBy: undefined, pinCleared: true });
  return [
    {
      label: "two-step disabled",
      facts: [{ requirement: "two-step-disable-answers-200", status: 200 }],
      next,
    },
  ];
}

/** POST /v1/users/login with the admin's credentials. */
export function predictLogin(state: ModelState): Branch[] {
  return [
    {
      label: "admin login",
      facts: [{ requirement: "login-answers-token", status: 200, token: true }],
      next: state,
    },
  ];
}

/** Every requirement id the model can name: a test checks each against the ledger. */
export const MODEL_REQUIREMENTS: readonly string[] = [
  "sunset-blocks-registration-with-1005",
  "sunset-block-answers-403-with-exact-details",
  "sunset-verify-refused",
  "sunset-verify-answers-403-1005",
  "sms-limit-denied-with-1005",
  "sms-limit-answers-403",
  "voice-after-sms-limit-answers-202",
  "two-step-missing-pin-rejected",
  "two-step-missing-pin-answers-400-1008",
  "two-step-wrong-pin-rejected",
  "two-step-wrong-pin-answers-403-1005",
  "two-step-right-pin-registers",
  "two-step-enable-takes-effect",
  "two-step-disable-takes-effect",
  "two-step-enable-answers-200",
  "two-step-disable-answers-200",
  "register-registered-number-answers-201",
  "register-new-number-answers-202-with-vname",
  "verify-right-code-answers-201",
  "verified-number-answers-201",
  "verify-wrong-code-rejected",
  "verify-wrong-code-answers-400-1009",
  "login-answers-token",
];
