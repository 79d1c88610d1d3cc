from vpd_mm.utils.fileio import content_digest, file_digest


def test_content_digest_follows_contents_names_and_missing_paths(tmp_path):
    (tmp_path / 'd').mkdir()
    (tmp_path / 'd' / 'a.pkl').write_bytes(b'abc')
    (tmp_path / 'f.json').write_text('{}')
    paths = [tmp_path / 'd', tmp_path / 'f.json']
    first = content_digest(paths)
    assert content_digest(paths) == first
    assert file_digest(tmp_path / 'f.json') != file_digest(tmp_path / 'd' / 'a.pkl')
    (tmp_path / 'd' / 'a.pkl').write_bytes(b'abd')  # same size and name, other contents
    second = content_digest(paths)
    assert second != first
    (tmp_path / 'd' / 'a.pkl').rename(tmp_path / 'd' / 'b.pkl')
    assert content_digest(paths) != second
    assert content_digest([tmp_path / 'missing']) != content_digest([tmp_path / 'f.json'])
