import type { ReactNode } from 'react';
import { Link, NavLink, Outlet } from 'react-router';

import { CURRENT_USER } from '../handle.ts';

export function Layout(): ReactNode {
  return (
    <div className="layout">
      <header className="banner">
        <Link className="brand" to="/">
          Cruddur
        </Link>
        <nav aria-label="Main">
          <NavLink to="/" end={true}>
            Home
          </NavLink>
          <NavLink to="/notifications">Notifications</NavLink>
          <NavLink to="/search">Search</NavLink>
          <NavLink to="/messages">Messages</NavLink>
          <NavLink to={`/@${CURRENT_USER}`}>Profile</NavLink>
        </nav>
      </header>
      <main>
        <Outlet />
      </main>
    </div>
  );
}
