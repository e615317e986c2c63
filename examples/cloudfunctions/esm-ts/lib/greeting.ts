export interface Greeting {
  text: string
  lang: string
  at: string
}

const templates: Record<string, (name: string) => string> = {
  en: (name) => `Hello, ${name}!`,
  zh: (name) => `你好，${name}！`,
}

export function greet(name: string, lang: string): Greeting {
  const render = templates[lang] ?? templates.en
  return { text: render(name), lang: templates[lang] ? lang : 'en', at: new Date().toISOString() }
}
