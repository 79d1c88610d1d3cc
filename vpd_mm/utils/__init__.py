from .fileio import (atomic_open, atomic_write_bytes, atomic_write_json, atomic_write_pickle,
                     atomic_write_text, load_json)
from .vpd_files import (embeddings_to_array, load_boxes, load_coco_keypoints, load_embeddings, save_boxes,
                        save_coco_keypoints, save_embeddings)

__all__ = [
    'atomic_open', 'atomic_write_bytes', 'atomic_write_text', 'atomic_write_json',
    'atomic_write_pickle', 'load_json', 'save_boxes', 'load_boxes', 'save_coco_keypoints',
    'load_coco_keypoints', 'save_embeddings', 'load_embeddings', 'embeddings_to_array'
]
