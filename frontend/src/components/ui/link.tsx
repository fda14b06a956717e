import type { ReactNode } from 'react';
import { linkClick } from '../../lib/router';

/** An in-app link: a real href (open in a new tab works) with client-side navigation on click. */
export function Link({
  href,
  children,
  className,
  title,
  current,
}: {
  href: string;
  children: ReactNode;
  className?: string;
  title?: string;
  current?: boolean;
}) {
  return (
    <a
      href={href}
      onClick={linkClick(href)}
      className={className}
      title={title}
      aria-current={current ? 'page' : undefined}
    >
      {children}
    </a>
  );
}
