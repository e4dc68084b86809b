import { PlatformError } from '../errors.js';

/** One name in every case form a module's code, schema, routes and text need. */
export interface NameForms {
  /** sales-leads */
  kebab: string;
  /** sales_leads */
  snake: string;
  /** SALES_LEADS */
  constant: string;
  /** salesLeads */
  camel: string;
  /** SalesLeads */
  pascal: string;
  /** sales leads */
  words: string;
  /** Sales leads */
  sentence: string;
}

const FORMS: readonly (keyof NameForms)[] = ['kebab', 'snake', 'constant', 'camel', 'pascal', 'words', 'sentence'];

/** The names of a scaffolded module and of its one resource. */
export interface ModuleNames {
  module: NameForms & { name: string; className: string };
  resource: { singular: NameForms; plural: NameForms; namespace: string; table: string; route: string; model: string };
}

/** Words separated by single dashes, each of lowercase letters and digits, starting with a letter. */
export const SCAFFOLD_NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval'.split(
    ' ',
  ),
);

export function nameForms(kebab: string): NameForms {
  const words = kebab.split('-');
  const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
  const pascal = words.map(capital).join('');
  return {
    kebab,
    snake: words.join('_'),
    constant: words.join('_').toUpperCase(),
    camel: pascal.charAt(0).toLowerCase() + pascal.slice(1),
    pascal,
    words: words.join(' '),
    sentence: capital(words.join(' ')),
  };
}

const replaceLastWord = (kebab: string, change: (word: string) => string) => {
  const words = kebab.split('-');
  words[words.length - 1] = change(words[words.length - 1]!);
  return words.join('-');
};

export function pluralize(kebab: string): string {
  return replaceLastWord(kebab, (word) => {
    if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
    if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
    return `${word}s`;
  });
}

export function singularize(kebab: string): string {
  return replaceLastWord(kebab, (word) => {
    if (/[^aeiou]ies$/.test(word)) return `${word.slice(0, -3)}y`;
    if (/(ss|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2);
    if (/s$/.test(word) && !/(us|is|ss)$/.test(word) && word.length > 2) return word.slice(0, -1);
    return word;
  });
}

function invalidName(what: string, value: string, reason: string, example: string): PlatformError {
  return new PlatformError({
    code: 'MODULE_NAME_INVALID',
    message: `Invalid ${what} "${value}": ${reason}`,
    exitCode: 2,
    suggestions: [example],
  });
}

/**
 * Names for `platform generate module <name> [--resource <singular>]`: the module is named as given; its resource
 * is `--resource`, else the module name made singular (`expense-reports` → `expense-report`).
 */
export function moduleNames(name: string, resource?: string): ModuleNames {
  const example = 'Use lowercase words separated by dashes, e.g. `platform generate module invoices` or `platform generate module billing --resource invoice`.';
  if (!SCAFFOLD_NAME_PATTERN.test(name) || name.length > 40) {
    throw invalidName('module name', name, 'must be lowercase words (letters and digits, starting with a letter) separated by single dashes, at most 40 characters', example);
  }
  if (resource !== undefined && (!SCAFFOLD_NAME_PATTERN.test(resource) || resource.length > 40)) {
    throw invalidName('resource name', resource, 'must be lowercase words separated by single dashes, at most 40 characters, in the singular', example);
  }
  const singular = resource ?? singularize(name);
  const plural = resource === undefined && singular !== name ? name : pluralize(singular);
  const [one, many] = [nameForms(singular), nameForms(plural)];
  for (const forms of [one, many]) {
    if (RESERVED.has(forms.camel)) {
      throw invalidName('resource name', forms.kebab, `"${forms.camel}" is a reserved word in JavaScript`, 'Pass another name with --resource, e.g. --resource entry.');
    }
  }
  const module = nameForms(name);
  return {
    module: { ...module, name, className: `${module.pascal}Module` },
    resource: { singular: one, plural: many, namespace: one.snake, table: many.snake, route: many.kebab, model: one.pascal },
  };
}

/** The names the template in templates/module is written with. */
export const TEMPLATE_NAMES = moduleNames('starter-kit', 'sample-item');

/**
 * Placeholder → replacement for every case form of the template's names. The template's names are two words, so
 * each form is spelled differently from every other (`sample_item` vs `sample-item` vs `sampleItem`) and a
 * replacement always gets the form its context needs.
 */
export function placeholderMap(names: ModuleNames, template: ModuleNames = TEMPLATE_NAMES): Map<string, string> {
  const map = new Map<string, string>();
  const pairs: [NameForms, NameForms][] = [
    [template.module, names.module],
    [template.resource.singular, names.resource.singular],
    [template.resource.plural, names.resource.plural],
  ];
  for (const [from, to] of pairs) {
    for (const form of FORMS) map.set(from[form], to[form]);
  }
  return map;
}
