import { useEffect, useState } from 'react';

/** Light, dark, or the system's choice (CSS prefers-color-scheme); remembered in localStorage. */
export type Theme = 'system' | 'light' | 'dark';
const KEY = 'vigil.theme';

function read(): Theme {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(read);
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', theme);
    try {
      if (theme === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, theme);
    } catch {
      // not persisted
    }
  }, [theme]);
  return [theme, setTheme];
}
