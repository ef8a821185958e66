import { describe, expect, it } from 'vitest';
import { compileFormat } from '../../../src/mock-dtr/go-template.js';

describe('compileFormat', () => {
  const value = { Name: '/c', Config: { Env: ['A=1'], Labels: { b: '2', a: '1' } }, Options: null };

  it('renders json and plain fields like Go templates on inspect output', () => {
    expect(compileFormat('{{json .Config.Env}}')?.(value)).toBe('["A=1"]');
    expect(compileFormat(' {{ json . }} ')?.(value)).toBe(JSON.stringify(value));
    expect(compileFormat('{{.Name}}')?.(value)).toBe('/c');
    expect(compileFormat('{{.Config.Env}}')?.(value)).toBe('[A=1]');
    expect(compileFormat('{{.Config.Labels}}')?.(value)).toBe('map[a:1 b:2]');
    expect(compileFormat('{{json .Options}}')?.(value)).toBe('null');
    expect(compileFormat('{{.Missing}}')?.(value)).toBe('<no value>');
  });

  it('refuses anything outside the subset', () => {
    expect(compileFormat('{{range .Mounts}}{{.Source}}{{end}}')).toBeUndefined();
    expect(compileFormat('Name: {{.Name}}')).toBeUndefined();
  });
});
