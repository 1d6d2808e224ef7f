import { StrictMode, useEffect, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { getToken, setToken } from './api.js'
import { AlertsPage } from './pages/AlertsPage.js'
import { ScreenPage } from './pages/ScreenPage.js'
import { TracePage } from './pages/TracePage.js'
import { ServedVerifyPage } from './pages/VerifyPage.js'
import './styles.css'

const PAGES = [
  { path: '/verify', label: 'Verify', render: () => <ServedVerifyPage /> },
  { path: '/alerts', label: 'Alerts', render: () => <AlertsPage /> },
  { path: '/trace', label: 'Trace', render: () => <TracePage /> },
  { path: '/screen', label: 'Screen', render: () => <ScreenPage /> },
]

function currentPath(): string {
  const p = window.location.pathname
  return PAGES.some((x) => p.startsWith(x.path)) ? p : '/verify'
}

function App() {
  const [path, setPath] = useState(currentPath)
  const [token, setTokenState] = useState(getToken)
  useEffect(() => {
    const onPop = () => setPath(currentPath())
    window.addEventListener('popstate', onPop)
    return () => window.removeEventListener('popstate', onPop)
  }, [])
  const go = (to: string) => {
    window.history.pushState(null, '', to)
    setPath(to)
  }
  const page = PAGES.find((p) => path.startsWith(p.path)) ?? PAGES[0]!
  return (
    <div className="app">
      <header className="top">
        <span className="brand">heistguard</span>
        <nav>
          {PAGES.map((p) => (
            <a
              key={p.path}
              href={p.path}
              className={p === page ? 'active' : ''}
              onClick={(e) => {
                e.preventDefault()
                go(p.path)
              }}
            >
              {p.label}
            </a>
          ))}
        </nav>
        <label className="token">
          API token
          <input
            type="password"
            autoComplete="off"
            placeholder="for acknowledging alerts"
            value={token}
            onChange={(e) => {
              setToken(e.target.value.trim())
              setTokenState(e.target.value.trim())
            }}
          />
        </label>
      </header>
      <main>{page.render()}</main>
    </div>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
