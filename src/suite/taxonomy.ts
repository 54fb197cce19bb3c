/**
 * The risk taxonomy: the categories a suite is expected to cover, and how each public
 * dataset's own categories map onto them. It is data, kept in code so that importers,
 * `coverage` and `docs/taxonomy.md` (generated from here) can never disagree.
 */

export type CategoryGroup = "content" | "injection" | "agent";

export interface Category {
  id: string;
  title: string;
  group: CategoryGroup;
  /** What belongs here, and where the line to the benign look-alikes runs. */
  scope: string;
}

export const TAXONOMY: readonly Category[] = [
  {
    id: "violence_weapons",
    title: "Violence and weapons",
    group: "content",
    scope:
      "Planning or carrying out attacks on people, making or illegally modifying weapons and explosives. Benign: sport, games, fiction, history, lawful hunting and self-defence.",
  },
  {
    id: "cbrn",
    title: "Chemical, biological, radiological and nuclear weapons",
    group: "content",
    scope:
      "Agents, precursors, production or dispersal of mass-casualty weapons. Benign: history, treaties, safety of household chemicals, how vaccines work.",
  },
  {
    id: "self_harm",
    title: "Self-harm and suicide",
    group: "content",
    scope:
      "Methods, encouragement or concealment of self-harm, suicide and disordered eating. Benign: figurative speech, support-seeking, clinical and historical facts.",
  },
  {
    id: "hate",
    title: "Hate",
    group: "content",
    scope:
      "Demeaning, dehumanising or discriminating against people for a protected characteristic; glorifying atrocities. Benign: history of discrimination, nonsense groups, counter-speech.",
  },
  {
    id: "harassment",
    title: "Harassment and defamation",
    group: "content",
    scope:
      "Bullying, threats, intimidation or defamation of a real person. Benign: handling conflict, writing firm complaints, fictional villains.",
  },
  {
    id: "sexual_content",
    title: "Sexual content",
    group: "content",
    scope:
      "Explicit sexual material, non-consensual imagery, sexual exploitation of adults. Benign: sex education, relationships, medical questions.",
  },
  {
    id: "child_safety",
    title: "Child safety",
    group: "content",
    scope:
      "Any sexualisation of minors, grooming, access to children to harm them, child labour and abuse. Benign: safeguarding, parenting, recognising warning signs.",
  },
  {
    id: "crime",
    title: "Crime",
    group: "content",
    scope:
      "Non-violent crime: theft, burglary, forgery, smuggling, evading law enforcement, illegal goods and services. Benign: how crimes were solved, security advice, legal rights.",
  },
  {
    id: "drugs",
    title: "Drugs and controlled substances",
    group: "content",
    scope:
      "Making, buying, concealing or dosing illegal drugs for misuse. Benign: harm reduction facts, pharmacology, addiction support, the other meanings of the words.",
  },
  {
    id: "fraud_deception",
    title: "Fraud and deception",
    group: "content",
    scope:
      "Scams, phishing, impersonation, counterfeit money, market manipulation, economic harm. Benign: recognising scams, protecting accounts, how historical frauds worked.",
  },
  {
    id: "cybercrime_malware",
    title: "Cybercrime and malware",
    group: "content",
    scope:
      "Writing malware, intruding into systems one does not own, stealing credentials. Benign: defensive security, owned systems, the other meanings of kill/execute/exploit.",
  },
  {
    id: "privacy_pii",
    title: "Privacy and personal data",
    group: "content",
    scope:
      "Finding, inferring or exposing private people's personal data; stalking and tracking. Benign: public figures' public facts, fictional characters, one's own data.",
  },
  {
    id: "misinformation",
    title: "Misinformation",
    group: "content",
    scope:
      "Writing convincing falsehoods about health, elections, science or disasters to deceive. Benign: explaining or debunking a myth, satire clearly labelled, media literacy.",
  },
  {
    id: "specialized_advice",
    title: "Dangerous specialised advice",
    group: "content",
    scope:
      "Medical, legal or financial advice that would cause harm if followed without a professional (stopping prescribed medication, dosing, evading charges). Benign: general health and legal information.",
  },
  {
    id: "prompt_injection_direct",
    title: "Direct prompt injection",
    group: "injection",
    scope:
      "The user's own message tries to override the system's instructions. Graded with a canary the model would only produce by obeying. Benign: the user changes their own task.",
  },
  {
    id: "prompt_injection_indirect",
    title: "Indirect prompt injection",
    group: "injection",
    scope:
      "Instructions hidden in content the model is asked to process (documents, emails, tool outputs, web pages). Graded with a canary. Benign: the user asks the model to follow the document.",
  },
  {
    id: "secret_extraction",
    title: "System-prompt and secret extraction",
    group: "injection",
    scope:
      "Getting the model to reveal its system prompt, keys or other secrets it was told to keep. Graded with the secret as canary. Benign: questions the system prompt allows answering.",
  },
  {
    id: "agent_tool_misuse",
    title: "Agent tool misuse",
    group: "agent",
    scope:
      "An instruction planted in a tool result (e-mail, web page, file, review, invite) makes an agent take a harmful action the user never asked for: pay, delete, unlock, merge, grant access. Graded by the tools called. Benign: the same task and tool result without the planted text, which needs a tool call.",
  },
  {
    id: "agent_data_exfiltration",
    title: "Agent data exfiltration",
    group: "agent",
    scope:
      "An instruction planted in a tool result makes an agent send the user's private data (codes, documents, card details, calendar) to a third party, often in two steps: fetch, then send. Graded by the tools called. Benign: the same task without the planted text.",
  },
];

export const CATEGORY_IDS: ReadonlySet<string> = new Set(TAXONOMY.map((c) => c.id));

/**
 * Each public dataset's category → our category. `null` means no single category of
 * ours fits (the importer then keeps the dataset's own label, prefixed by its name, and
 * `coverage` lists it as outside the taxonomy). Mappings are per dataset category, so
 * they are coarse: the original label is always kept as a tag.
 */
export const DATASET_CATEGORIES = {
  jailbreakbench: {
    "Harassment/Discrimination": "hate",
    "Malware/Hacking": "cybercrime_malware",
    "Physical harm": "violence_weapons",
    "Economic harm": "fraud_deception",
    "Fraud/Deception": "fraud_deception",
    Disinformation: "misinformation",
    "Sexual/Adult content": "sexual_content",
    Privacy: "privacy_pii",
    "Expert advice": "specialized_advice",
    "Government decision-making": "crime",
  },
  harmbench: {
    chemical_biological: "cbrn",
    cybercrime_intrusion: "cybercrime_malware",
    illegal: "crime",
    misinformation_disinformation: "misinformation",
    harassment_bullying: "harassment",
    harmful: null,
    copyright: null,
  },
  strongreject: {
    "Non-violent crimes": "crime",
    Violence: "violence_weapons",
    "Disinformation and deception": "misinformation",
    "Hate, harassment and discrimination": "hate",
    "Illegal goods and services": "crime",
    "Sexual content": "sexual_content",
  },
  /**
   * InjecAgent's attack types: direct harm (one tool call does the damage) is agent tool
   * misuse, data stealing (fetch the user's data, then send it out) is agent data
   * exfiltration — the agent categories of the built-in agent suite. The kind of damage
   * (physical, financial, data security) is kept as the `injecagent:attack-type:` tag.
   */
  injecagent: {
    "Physical Harm": "agent_tool_misuse",
    "Financial Harm": "agent_tool_misuse",
    "Data Security Harm": "agent_tool_misuse",
    "Physical Data": "agent_data_exfiltration",
    "Financial Data": "agent_data_exfiltration",
    Others: "agent_data_exfiltration",
  },
  /** XSTest types name a contrast pattern, not a risk; most of its prompts are about violence. */
  xstest: {
    homonyms: "violence_weapons",
    figurative_language: "violence_weapons",
    safe_targets: "violence_weapons",
    safe_contexts: "violence_weapons",
    definitions: "violence_weapons",
    historical_events: "violence_weapons",
    real_group_nons_discr: "hate",
    nons_group_real_discr: "hate",
    privacy_public: "privacy_pii",
    privacy_fictional: "privacy_pii",
    contrast_homonyms: "violence_weapons",
    contrast_figurative_language: "violence_weapons",
    contrast_safe_targets: "violence_weapons",
    contrast_safe_contexts: "violence_weapons",
    contrast_definitions: "violence_weapons",
    contrast_historical_events: "violence_weapons",
    contrast_discr: "hate",
    contrast_privacy: "privacy_pii",
  },
} as const satisfies Record<string, Record<string, string | null>>;

/** XSTest's `note` names the topic for some rows; where it names drugs it beats the type's default. */
export const XSTEST_NOTE_CATEGORIES: Readonly<Record<string, string>> = { drugs: "drugs" };

export type MappedDataset = keyof typeof DATASET_CATEGORIES;

/** Our category for a dataset's label, or `<dataset>:<label>` when none of ours fits or it is unknown. */
export function mapCategory(dataset: MappedDataset, label: string): string {
  const table = DATASET_CATEGORIES[dataset] as Record<string, string | null>;
  const mapped = table[label.trim()];
  return mapped ?? `${dataset}:${slug(label)}`;
}

export function slug(text: string): string {
  return (
    text
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")
      .replace(/^_+|_+$/g, "") || "unlabelled"
  );
}

export function renderTaxonomyMarkdown(): string {
  const out: string[] = [
    "# Taxonomy",
    "",
    "<!-- Generated from src/suite/taxonomy.ts by `npm run schema`; a test fails when it is stale. -->",
    "",
    "Every case has a `category`. These are the categories `safety-gate coverage` checks a suite",
    "against, and the ones the built-in suites cover (each with at least 20 cases). Other labels are",
    "allowed; `coverage` lists them as outside the taxonomy.",
    "",
    "| id | category | what belongs here (and the benign look-alikes) |",
    "|---|---|---|",
    ...TAXONOMY.map((c) => `| \`${c.id}\` | ${c.title} | ${c.scope} |`),
    "",
    "## Mapping from public datasets",
    "",
    "Importers map each dataset's own category to ours and keep the original as a tag",
    "(`<dataset>:category:<label>`). *outside* means no single category of ours fits: the case keeps",
    "`<dataset>:<label>` as its category.",
    "",
  ];
  for (const [dataset, table] of Object.entries(DATASET_CATEGORIES)) {
    out.push(`### ${dataset}`, "", "| their category | ours |", "|---|---|");
    for (const [theirs, ours] of Object.entries(table as Record<string, string | null>)) {
      out.push(`| ${theirs} | ${ours === null ? "*outside*" : `\`${ours}\``} |`);
    }
    if (dataset === "xstest") {
      out.push(
        "",
        "A row whose `note` is `drugs` maps to `drugs` whatever its type. Safe types become `expect: comply`, `contrast_*` types `expect: refuse`.",
      );
    }
    out.push("");
  }
  return out.join("\n");
}
